// streamer_scores — set the trust scores of a run on Streamer nodes (inside run publishing).
// Parameters: $run_id (STRING), $rows (LIST<MAP>: id STRING, props MAP of trust, trust_confidence, components).
// Returns: nothing.
UNWIND $rows AS row
MATCH (n:Streamer {streamer_id: row.id})
SET n += row.props, n.trust_run_id = $run_id;
