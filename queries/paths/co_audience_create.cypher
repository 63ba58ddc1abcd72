// co_audience_create — write one batch of a `paths` run's co-audience index heads (graph/paths/co_audience.py):
// one node per bonded streamer, stamped with the bonds it was built from (score run, min_bond, how they
// were weighed: bond_weight 'trust_x_credibility') and the consumers kept per pair; its pairs are SHARES relationships (`co_audience_shares`).
// `most_trusted_path` reads them for shared-streamer paths instead of expanding hub audiences.
// Nodes of the new run stay beside the previous run's until the run is published and
// `co_audience_cleanup` removes the others (with their SHARES).
// Parameters:
//   $run_id  STRING     the paths run id
//   $rows    LIST<MAP>  {streamer_id STRING, score_run_id STRING (the bonds' score run), keep INTEGER,
//                       min_bond FLOAT, bond_weight STRING}
// Returns: nothing.
UNWIND $rows AS row
MERGE (n:CoAudience {streamer_id: row.streamer_id, run_id: $run_id})
SET n.score_run_id = row.score_run_id, n.keep = row.keep, n.min_bond = row.min_bond, n.bond_weight = row.bond_weight;
