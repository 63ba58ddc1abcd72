// run_start — record that a job run has started (run history).
// Parameters: $job (STRING: score|paths|recommend), $run_id (STRING), $started_at (DATETIME),
//             $parameters (STRING, JSON), $input_counts (STRING, JSON).
// Returns: nothing.
CREATE (:JobRun {job: $job, run_id: $run_id, status: 'running', current: false,
                 started_at: $started_at, parameters: $parameters, input_counts: $input_counts});
