// recommended_bond_credibility — each consumer's credibility as stored on the TRUSTS bonds of a score run,
// read by `livetrust recommend` (Neo4j mode) to weigh buyers' orders. No rows when the run stored none.
// Parameters: $score_run_id (STRING).
// Returns: consumer_id (STRING), consumer_credibility (FLOAT).
MATCH (c:Consumer)-[t:TRUSTS]->(:Streamer)
WHERE t.run_id = $score_run_id AND t.consumer_credibility IS NOT NULL
RETURN c.consumer_id AS consumer_id, min(t.consumer_credibility) AS consumer_credibility;
