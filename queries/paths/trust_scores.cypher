// trust_scores — the trust of streamers, products and factories of the current `score` run.
// Parameters: none.
// Returns: kind STRING ('streamer' | 'product' | 'factory'), id STRING, trust FLOAT,
//   confidence FLOAT; only nodes the current run scored (its SCORED relationships).
MATCH (run:JobRun {job: 'score', current: true})
MATCH (n)-[sc:SCORED]->(run)
RETURN CASE WHEN n:Streamer THEN 'streamer' WHEN n:Product THEN 'product' ELSE 'factory' END AS kind,
       coalesce(n.streamer_id, n.product_id, n.factory_id) AS id, sc.trust AS trust,
       sc.trust_confidence AS confidence;
