// trusts_write_columns — write one batch of consumer→streamer bonds of a run (not yet current).
// Bonds are kept in two generations: the current run's, which readers see (they filter on
// run_id), and the superseded run's, kept as stock. A bond of this run overwrites its pair's
// superseded TRUSTS in place (SET, no new relationship) and only pairs without one get a new
// TRUSTS: after the first two runs a rerun creates and deletes (almost) nothing, which on the m
// world is 3x less store work than create-then-delete (bench/results/score.md). The current
// run's bonds are never touched, so readers never see a half-written run. Used when there is stock
// (bond_stock.cypher); the first two runs of a graph create with trusts_create_columns.
// The batch comes as one list per column (no map per row); both ends are found by element id
// (node_element_ids.cypher; NodeByElementIdSeek). A bond keeps only what the queries read: the
// other components (prior, evidence, gmv, ...) are in the consumer_streamer file.
// Parameters: $run_id (STRING), $columns (MAP of LIST, all of one length: consumer_node, streamer_node
//             (element ids; null: the bond is skipped), trust, confidence, following, followed_days,
//             orders, units, returned_units, repeat_buyer, consumer_credibility; null = no property).
// Returns: nothing.
OPTIONAL MATCH (current:JobRun {job: 'score', current: true})
WITH coalesce(current.run_id, '') AS current_run_id
UNWIND range(0, size($columns.consumer_node) - 1) AS i
MATCH (c:Consumer) WHERE elementId(c) = $columns.consumer_node[i]
MATCH (s:Streamer) WHERE elementId(s) = $columns.streamer_node[i]
OPTIONAL CALL (c, s, current_run_id) {
  MATCH (c)-[stock:TRUSTS]->(s)
  // coalesce: a predicate no run_id index (older versions made trusts_run) could answer, so the planner expands from the bound
  // consumer (Expand(Into)) instead of scanning the index for every bond
  WHERE NOT coalesce(stock.run_id, '') IN [current_run_id, $run_id]
  RETURN stock LIMIT 1
}
// SET on a null relationship does nothing: pairs without stock go on to CREATE
SET stock.run_id = $run_id, stock.trust = $columns.trust[i], stock.confidence = $columns.confidence[i],
    stock.following = $columns.following[i], stock.followed_days = $columns.followed_days[i],
    stock.orders = $columns.orders[i], stock.units = $columns.units[i],
    stock.returned_units = $columns.returned_units[i], stock.repeat_buyer = $columns.repeat_buyer[i],
    stock.consumer_credibility = $columns.consumer_credibility[i]
WITH c, s, i, stock WHERE stock IS NULL
CREATE (c)-[:TRUSTS {
  run_id: $run_id, trust: $columns.trust[i], confidence: $columns.confidence[i],
  following: $columns.following[i], followed_days: $columns.followed_days[i],
  orders: $columns.orders[i], units: $columns.units[i], returned_units: $columns.returned_units[i],
  repeat_buyer: $columns.repeat_buyer[i], consumer_credibility: $columns.consumer_credibility[i]
}]->(s);
