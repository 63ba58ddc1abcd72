// run_failed — record that a run failed; the previous current run stays current.
// A run already published stays succeeded: a connection lost during its publishing
// transaction's commit leaves the client unsure whether it committed.
// Parameters: $run_id (STRING), $finished_at (DATETIME), $error (STRING, one line).
// Returns: nothing.
MATCH (run:JobRun {run_id: $run_id})
WHERE run.status <> 'succeeded'
SET run.status = 'failed', run.finished_at = $finished_at, run.error = $error;
