// recommended_cleanup — delete the RECOMMENDED relationships of every `recommend` run but $keep (the
// current run) and $stock (the run it replaced, which the next run overwrites in place:
// recommended_write_columns). What is left to delete after a rerun is the pairs no longer
// recommended, and failed runs' leftovers. Found per run id through the recommended_run index
// (the run ids come from the JobRun history), so the kept runs' relationships are not scanned.
// Parameters: $keep (STRING or null: null deletes the recommendations of every recorded run),
//             $stock (STRING or null: null keeps no stock).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH (run:JobRun {job: 'recommend'})
WHERE ($keep IS NULL OR run.run_id <> $keep) AND ($stock IS NULL OR run.run_id <> $stock)
WITH DISTINCT run.run_id AS stale
MATCH ()-[r:RECOMMENDED {run_id: stale}]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS;
