// current_runs — the current (published) run of every job, for a note beside a library query that
// found no rows: before a job's first successful run, the queries reading its results find nothing.
// Parameters: none.
// Returns: one row per job (score, paths, recommend): job (STRING), run_id (STRING, null when the job
//   has no current run), finished_at (DATETIME). Each job is one seek of the JobRun(job, current) index.
UNWIND ['score', 'paths', 'recommend'] AS job
OPTIONAL MATCH (run:JobRun {job: job, current: true})
RETURN job, run.run_id AS run_id, run.finished_at AS finished_at;
