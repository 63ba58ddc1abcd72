// recommended_delete — delete stale stock RECOMMENDED by element id, once the run that found them
// (recommended_write_columns returns them) is current. Only what is still neither the current run's
// nor the stock run's goes: a subject whose rows span two batches reports, from the first, stock that
// the second batch then overwrote for the run. One session, batches of publish_run's size.
// Parameters: $ids (LIST of STRING: relationship element ids), $keep (STRING: the current run),
//             $stock (STRING or null: the run it replaced, kept as stock).
// Returns: deleted (INTEGER).
UNWIND $ids AS id
MATCH ()-[r:RECOMMENDED]->() WHERE elementId(r) = id
WITH r WHERE NOT coalesce(r.run_id, '') IN [$keep, coalesce($stock, '')]
DELETE r
RETURN count(*) AS deleted;
