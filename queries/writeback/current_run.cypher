// current_run — the run id whose results readers should see for a job.
// Parameters: $job (STRING: score|paths|recommend).
// Returns: run_id (STRING), finished_at (DATETIME); no row before the first successful run.
MATCH (run:JobRun {job: $job, current: true})
RETURN run.run_id AS run_id, run.finished_at AS finished_at;
