// co_audience_create — write one batch of a `paths` run's co-audience index (graph/paths/co_audience.py):
// per streamer, every partner streamer sharing a bonded consumer (partner_ids, sorted), and the best `keep`
// shared consumers per partner as parallel entry lists: partner k's entries run from partner_offsets[k]
// to partner_offsets[k + 1] - 1. `most_trusted_path` reads it for
// shared-streamer paths instead of expanding hub audiences.
// Nodes of the new run stay beside the previous run's until the run is published and
// `co_audience_cleanup` removes the others.
// Parameters:
//   $run_id  STRING     the paths run id
//   $rows    LIST<MAP>  {streamer_id STRING, score_run_id STRING (the bonds' score run), keep INTEGER,
//                       min_bond FLOAT, partner_ids LIST<STRING>, partner_offsets LIST<INTEGER>, vias LIST<STRING>,
//                       via_trust LIST<FLOAT> (b(via, streamer)), partner_trust LIST<FLOAT> (b(via, partner))}
// Returns: nothing.
UNWIND $rows AS row
MERGE (n:CoAudience {streamer_id: row.streamer_id, run_id: $run_id})
SET n.score_run_id = row.score_run_id, n.keep = row.keep, n.min_bond = row.min_bond,
    n.partner_ids = row.partner_ids, n.partner_offsets = row.partner_offsets, n.vias = row.vias, n.via_trust = row.via_trust,
    n.partner_trust = row.partner_trust;
