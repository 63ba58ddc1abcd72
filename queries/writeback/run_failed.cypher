// run_failed — record that a run failed; the previous current run stays current.
// Parameters: $run_id (STRING), $finished_at (DATETIME), $error (STRING, one line).
// Returns: nothing.
MATCH (run:JobRun {run_id: $run_id})
SET run.status = 'failed', run.finished_at = $finished_at, run.error = $error;
