// recommended_delete — delete stale stock RECOMMENDED by element id, once the run that found them
// (recommended_write_columns returns them) is current. Only what is still neither the current run's
// nor the stock run's goes: a subject whose rows span two batches reports, from the first, stock that
// the second batch then overwrote for the run. One session, batches of publish_run's size.
// Such a subject's stock that neither batch took is reported by both: DISTINCT, or the relationship
// matched twice is deleted once and counted twice (the m world's --top 19 over a top-20 stock counted
// 736,372 for 735,712, one extra per subject split across batches).
// Parameters: $ids (LIST of STRING: relationship element ids), $keep (STRING: the current run),
//             $stock (STRING or null: the run it replaced, kept as stock).
// Returns: deleted (INTEGER).
UNWIND $ids AS id
WITH DISTINCT id
MATCH ()-[r:RECOMMENDED]->() WHERE elementId(r) = id
WITH r WHERE NOT coalesce(r.run_id, '') IN [$keep, coalesce($stock, '')]
DELETE r
RETURN count(*) AS deleted;
