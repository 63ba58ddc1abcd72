// name: run_history
// answers: The history of scoring, path and recommendation runs, newest first: status, timing, parameters and counts.
// param: job STRING in {score, paths, recommend} = null  only runs of this job
// param: limit INTEGER >= 0 = 20  how many runs
// returns: job, run_id, status, current, started_at, finished_at, seconds, parameters, input_counts, output_counts, relationships_written, error
// seconds: from the start to the switch that made the run current (finished_at); the cleanup of the runs it
// replaced comes after. output_counts: rows per output (a recommend run's per list, all of --top);
// relationships_written: what the write-back wrote (a recommend run's first --write-top ranks), null when not counted.
MATCH (r:JobRun)
WHERE $job IS NULL OR r.job = $job
RETURN r.job AS job, r.run_id AS run_id, r.status AS status, r.current AS current,
       toString(r.started_at) AS started_at, toString(r.finished_at) AS finished_at,
       duration.inSeconds(r.started_at, coalesce(r.finished_at, r.started_at)).milliseconds / 1000.0 AS seconds,
       r.parameters AS parameters, r.input_counts AS input_counts, r.output_counts AS output_counts,
       r.relationships_written AS relationships_written, r.error AS error
ORDER BY r.started_at DESC, r.run_id DESC
LIMIT $limit;
