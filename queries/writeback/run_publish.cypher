// run_publish — make a finished run the current one of its job (readers switch to all of its
// relationships and stamped properties at once; they were written before, in batches).
// Idempotent: the driver retries this transaction when the reply to its commit is lost, and a
// second pass over a run already published changes nothing and returns the same previous run
// (kept on the run as replaced_run_id).
// Parameters: $job (STRING), $run_id (STRING), $finished_at (DATETIME), $output_counts (STRING, JSON),
//             $relationships_written (INTEGER or null: the relationships its write statements reported
//             writing, exact; null when one of them reports nothing; see recommended_stale.cypher).
// Returns: previous_run_id (STRING or null).
MATCH (run:JobRun {run_id: $run_id})
OPTIONAL MATCH (previous:JobRun {job: $job, current: true})
  WHERE previous.run_id <> $run_id
SET previous.current = false
WITH run, previous, run.current AS again
SET run.current = true, run.status = 'succeeded',
    run.finished_at = CASE WHEN again THEN run.finished_at ELSE $finished_at END,
    run.output_counts = $output_counts, run.relationships_written = $relationships_written,
    run.replaced_run_id = CASE WHEN again THEN run.replaced_run_id ELSE previous.run_id END
RETURN run.replaced_run_id AS previous_run_id;
