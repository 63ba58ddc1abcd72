// trusts_create — write one batch of consumer→streamer bonds of a run (not yet current).
// Parameters: $run_id (STRING), $rows (LIST<MAP>: consumer_id, streamer_id, props MAP).
// Returns: nothing.
UNWIND $rows AS row
MATCH (c:Consumer {consumer_id: row.consumer_id})
MATCH (s:Streamer {streamer_id: row.streamer_id})
CREATE (c)-[t:TRUSTS]->(s)
SET t = row.props, t.run_id = $run_id;
