// trusts_cleanup — delete the bonds of every `score` run but $keep (the current run) and $stock
// (the run it replaced, whose bonds the next run overwrites in place: trusts_write_columns). What
// is left to delete after a rerun is the pairs that lost their bond, and failed runs' leftovers.
// Found per run id through the trusts_run index (the run ids come from the JobRun history), so
// the kept runs' bonds are not scanned.
// Parameters: $keep (STRING or null: null deletes the bonds of every recorded score run),
//             $stock (STRING or null: null keeps no stock).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH (run:JobRun {job: 'score'})
WHERE ($keep IS NULL OR run.run_id <> $keep) AND ($stock IS NULL OR run.run_id <> $stock)
WITH DISTINCT run.run_id AS stale
MATCH ()-[t:TRUSTS {run_id: stale}]->()
CALL (t) { DELETE t } IN TRANSACTIONS OF 20000 ROWS;
