// trusts_create_columns — write one batch of consumer→streamer bonds of a run (not yet current), the
// batch sent as one list per column (no map per row) and every property named in the statement, so
// the plan needs no Eager step; `livetrust score` writes its bonds with it.
// Parameters: $run_id (STRING), $columns (MAP of LIST, all of one length: consumer_id, streamer_id,
//             trust, confidence, prior, positive_evidence, negative_evidence, following, followed_days,
//             unfollowed, orders, units, returned_units, repeat_buyer, gmv, last_order_days,
//             consumer_credibility, lockstep_partners; null = no property).
// Returns: nothing.
UNWIND range(0, size($columns.consumer_id) - 1) AS i
MATCH (c:Consumer {consumer_id: $columns.consumer_id[i]})
MATCH (s:Streamer {streamer_id: $columns.streamer_id[i]})
CREATE (c)-[:TRUSTS {
  run_id: $run_id, trust: $columns.trust[i], confidence: $columns.confidence[i], prior: $columns.prior[i],
  positive_evidence: $columns.positive_evidence[i], negative_evidence: $columns.negative_evidence[i],
  following: $columns.following[i], followed_days: $columns.followed_days[i], unfollowed: $columns.unfollowed[i],
  orders: $columns.orders[i], units: $columns.units[i], returned_units: $columns.returned_units[i],
  repeat_buyer: $columns.repeat_buyer[i], gmv: $columns.gmv[i], last_order_days: $columns.last_order_days[i],
  consumer_credibility: $columns.consumer_credibility[i], lockstep_partners: $columns.lockstep_partners[i]
}]->(s);
