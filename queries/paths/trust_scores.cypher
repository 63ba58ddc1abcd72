// trust_scores — the trust of streamers, products and factories as written by `livetrust score`.
// Parameters: none.
// Returns: kind STRING ('streamer' | 'product' | 'factory'), id STRING, trust FLOAT,
//   confidence FLOAT; only nodes with a trust property.
MATCH (s:Streamer) WHERE s.trust IS NOT NULL
RETURN 'streamer' AS kind, s.streamer_id AS id, s.trust AS trust, s.trust_confidence AS confidence
UNION ALL
MATCH (p:Product) WHERE p.trust IS NOT NULL
RETURN 'product' AS kind, p.product_id AS id, p.trust AS trust, p.trust_confidence AS confidence
UNION ALL
MATCH (f:Factory) WHERE f.trust IS NOT NULL
RETURN 'factory' AS kind, f.factory_id AS id, f.trust AS trust, f.trust_confidence AS confidence;
