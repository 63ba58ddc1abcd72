// recommended_stale — whether the RECOMMENDED cleanup (recommended_cleanup.cypher, a scan of every
// RECOMMENDED: 25-27 s on the m world's 29.4M) has anything to delete once a run is current.
// The write statement finds each subject's stale stock as it writes the subject's rows
// (recommended_write_columns.cypher), and the job deletes those by id (recommended_delete.cypher),
// so after a run only two generations remain -- the new run's and the one it replaced -- unless
// some subject got no rows this time (its old stock stays), the ids were too many to hold
// (STALE_IDS_MAX), or a relationship was left by something else. Each shows in the total: it is
// then larger than the two runs' own counts, which their write statements returned exactly.
// Parameters: $written (INTEGER: relationships the new, now current, run wrote), $stock (STRING or null:
//             the run it replaced, kept as stock; its JobRun holds relationships_written).
// Returns: stale (BOOLEAN: true unless the total is exactly the two runs' counts), total (INTEGER).
MATCH ()-[r:RECOMMENDED]->()
WITH count(r) AS total  // from the count store
OPTIONAL MATCH (stock:JobRun {run_id: $stock})
RETURN CASE
         WHEN $stock IS NULL THEN total <> $written
         WHEN stock.relationships_written IS NULL THEN true  // written by a version that did not count
         ELSE total <> $written + stock.relationships_written
       END AS stale, total;
