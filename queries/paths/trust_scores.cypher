// trust_scores — the trust of streamers, products and factories of the current `score` run.
// Parameters: none.
// Returns: kind STRING ('streamer' | 'product' | 'factory'), id STRING, trust FLOAT,
//   confidence FLOAT; only nodes the current run scored (its STREAMER_SCORE, PRODUCT_SCORE and
//   FACTORY_SCORE relationships).
MATCH (run:JobRun {job: 'score', current: true})
CALL (run) {
  MATCH (s:Streamer)-[sc:STREAMER_SCORE]->(run)
  RETURN 'streamer' AS kind, s.streamer_id AS id, sc.trust AS trust, sc.trust_confidence AS confidence
  UNION ALL
  MATCH (p:Product)-[sc:PRODUCT_SCORE]->(run)
  RETURN 'product' AS kind, p.product_id AS id, sc.trust AS trust, sc.trust_confidence AS confidence
  UNION ALL
  MATCH (f:Factory)-[sc:FACTORY_SCORE]->(run)
  RETURN 'factory' AS kind, f.factory_id AS id, sc.trust AS trust, sc.trust_confidence AS confidence
}
RETURN kind, id, trust, confidence;
