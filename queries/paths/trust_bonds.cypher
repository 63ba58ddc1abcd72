// trust_bonds — the consumer -> streamer bonds (TRUSTS) of a `score` run, as the path analysis reads
// them from Neo4j.
// Parameters:
//   $score_run_id  STRING  default null (null: the current `score` run)
// Returns: consumer_id STRING, streamer_id STRING, trust FLOAT, confidence FLOAT.
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH coalesce($score_run_id, run.run_id) AS rid
MATCH (c:Consumer)-[t:TRUSTS]->(s:Streamer)
WHERE t.run_id = rid
RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id, t.trust AS trust, t.confidence AS confidence;
