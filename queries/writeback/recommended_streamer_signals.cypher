// recommended_streamer_signals — the fraud-related components stored with the current trust scores on
// the current run's STREAMER_SCORE relationships, read by `livetrust recommend` (Neo4j mode) for its demotion rule. A component the
// score run did not store comes back null and is ignored.
// Parameters: none.
// Returns: streamer_id (STRING), integrity (FLOAT or null), lockstep_buyers (INTEGER or null),
//          buyers (INTEGER or null), fraud_flag (BOOLEAN or null).
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Streamer)-[sc:STREAMER_SCORE]->(run)
RETURN s.streamer_id AS streamer_id, sc.integrity AS integrity, sc.lockstep_buyers AS lockstep_buyers,
       sc.buyers AS buyers, sc.fraud_flag AS fraud_flag;
