// job_lock_acquire — take a job's lock for a run when it is free, already this run's, or stale (its
// holder has not renewed it for $stale_after seconds: its process is gone). Taking it marks the job's
// other runs still recorded as 'running' 'abandoned': only the lock holder can be running, so those
// are runs whose process stopped without finishing (killed, out of memory, the disk filled up).
// Times are the server's clock (datetime()), so machines with skewed clocks agree on staleness. A
// holder whose process the caller found gone on its own machine ($dead_holder) is taken over at once.
// Parameters: $job (STRING: score|paths|recommend), $run_id (STRING), $stale_after (INTEGER, seconds),
//             $process (STRING: this run's machine and process, livetrust.joblock.process_token),
//             $dead_holder (STRING or null: the run id of a holder whose process is gone).
// Returns: one row: acquired (BOOLEAN), holder (STRING or null: the holder before this statement),
//          held_since, heartbeat (STRING: ISO times of that holder), abandoned (LIST of run ids).
MERGE (lock:JobLock {job: $job})
// a SET whose value reads the property it writes takes the node's write lock before reading:
// concurrent acquirers queue here, and each reads what the one before it committed
SET lock.attempts = coalesce(lock.attempts, 0) + 1
WITH lock, lock.run_id AS holder, lock.acquired_at AS held_since, lock.heartbeat_at AS heartbeat, datetime() AS now
WITH lock, holder, held_since, heartbeat, now,
     holder IS NULL OR holder = $run_id OR heartbeat IS NULL
       OR heartbeat < now - duration({seconds: $stale_after}) OR coalesce(holder = $dead_holder, false) AS acquired
CALL (lock, acquired, now) {
  WITH lock WHERE acquired
  SET lock.run_id = $run_id, lock.acquired_at = now, lock.heartbeat_at = now, lock.process = $process
  WITH lock
  OPTIONAL MATCH (run:JobRun {job: $job, status: 'running'})
  WHERE run.run_id <> $run_id
  SET run.status = 'abandoned', run.finished_at = now,
      run.error = 'abandoned: its process stopped before the run finished (found without a live job lock by ' + $run_id + ')'
  RETURN collect(run.run_id) AS abandoned
}
RETURN acquired, holder, toString(held_since) AS held_since, toString(heartbeat) AS heartbeat, abandoned;
