// trusts_create_columns — write one batch of consumer→streamer bonds of a run (not yet current), the
// batch sent as one list per column (no map per row) and every property named in the statement, so
// the plan needs no Eager step; `livetrust score` writes its bonds with it. Both ends are found by
// element id (bond_node_ids.cypher; NodeByElementIdSeek, no index seek), and a bond keeps only what
// the queries read: the other components (prior, evidence, gmv, ...) are in the consumer_streamer
// file (each property costs create and delete time: 18 -> 10 properties, see bench/results/score.md).
// Parameters: $run_id (STRING), $columns (MAP of LIST, all of one length: consumer_node, streamer_node
//             (element ids; null: the bond is skipped), trust, confidence, following, followed_days,
//             orders, units, returned_units, repeat_buyer, consumer_credibility; null = no property).
// Returns: nothing.
UNWIND range(0, size($columns.consumer_node) - 1) AS i
MATCH (c:Consumer) WHERE elementId(c) = $columns.consumer_node[i]
MATCH (s:Streamer) WHERE elementId(s) = $columns.streamer_node[i]
CREATE (c)-[:TRUSTS {
  run_id: $run_id, trust: $columns.trust[i], confidence: $columns.confidence[i],
  following: $columns.following[i], followed_days: $columns.followed_days[i],
  orders: $columns.orders[i], units: $columns.units[i], returned_units: $columns.returned_units[i],
  repeat_buyer: $columns.repeat_buyer[i], consumer_credibility: $columns.consumer_credibility[i]
}]->(s);
