// co_audience_shares — write one batch of a `paths` run's co-audience pairs (graph/paths/co_audience.py):
// per pair of streamers sharing a bonded consumer, one (:CoAudience)-[:SHARES]->(:CoAudience) between
// the run's nodes of the two (written first by `co_audience_create`), holding the pair's best shared
// consumers c' by b(c', streamer) * b(c', partner) as parallel lists. Read in both directions: from the
// start node `via_trust` is the bond to it, from the end node `partner_trust` is.
// Parameters:
//   $run_id   STRING  the paths run id
//   $columns  MAP of LIST, all of one length: streamer_id STRING (start), partner_id STRING (end),
//             vias LIST<STRING>, via_trust LIST<FLOAT> (b(via, streamer)), partner_trust LIST<FLOAT>
//             (b(via, partner))
// Returns: nothing.
UNWIND range(0, size($columns.streamer_id) - 1) AS i
MATCH (a:CoAudience {streamer_id: $columns.streamer_id[i], run_id: $run_id})
MATCH (b:CoAudience {streamer_id: $columns.partner_id[i], run_id: $run_id})
CREATE (a)-[:SHARES {vias: $columns.vias[i], via_trust: $columns.via_trust[i], partner_trust: $columns.partner_trust[i]}]->(b);
