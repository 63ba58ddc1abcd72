// trusts_create_columns — write one batch of consumer→streamer bonds of a run as new TRUSTS, when
// no stock is there to overwrite (bond_stock.cypher: the first two runs of a graph). Same batch and
// properties as trusts_write_columns, without its stock look-up and the two Eager steps that look-up
// brings, which would find nothing here.
// Parameters: $run_id (STRING), $columns (as trusts_write_columns).
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
