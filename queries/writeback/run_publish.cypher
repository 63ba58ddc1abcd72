// run_publish — make a finished run the current one of its job (readers switch to all of its
// relationships and stamped properties at once; they were written before, in batches).
// Parameters: $job (STRING), $run_id (STRING), $finished_at (DATETIME), $output_counts (STRING, JSON),
//             $relationships_written (INTEGER or null: the relationships its write statements reported
//             writing, exact; null when one of them reports nothing; see recommended_stale.cypher).
// Returns: previous_run_id (STRING or null).
MATCH (run:JobRun {run_id: $run_id})
OPTIONAL MATCH (previous:JobRun {job: $job, current: true})
SET previous.current = false
SET run.current = true, run.status = 'succeeded', run.finished_at = $finished_at,
    run.output_counts = $output_counts, run.relationships_written = $relationships_written
RETURN previous.run_id AS previous_run_id;
