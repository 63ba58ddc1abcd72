// trusts_cleanup — delete the bonds of every `score` run but $keep (older runs, failed runs), found
// per run id through the trusts_run index (the run ids come from the JobRun history), so the
// current run's bonds are not scanned.
// Parameters: $keep (STRING or null: null deletes the bonds of every recorded score run).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH (run:JobRun {job: 'score'})
WHERE $keep IS NULL OR run.run_id <> $keep
WITH DISTINCT run.run_id AS stale
MATCH ()-[t:TRUSTS {run_id: stale}]->()
CALL (t) { DELETE t } IN TRANSACTIONS OF 20000 ROWS;
