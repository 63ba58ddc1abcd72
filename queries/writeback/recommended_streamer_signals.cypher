// recommended_streamer_signals — the fraud-related components stored with the current trust scores on
// Streamer nodes, read by `livetrust recommend` (Neo4j mode) for its demotion rule. A component the
// score run did not store comes back null and is ignored.
// Parameters: none.
// Returns: streamer_id (STRING), integrity (FLOAT or null), lockstep_buyers (INTEGER or null),
//          fraud_flag (BOOLEAN or null).
MATCH (s:Streamer)
WHERE s.trust IS NOT NULL
RETURN s.streamer_id AS streamer_id, s.integrity AS integrity, s.lockstep_buyers AS lockstep_buyers,
       s.fraud_flag AS fraud_flag;
