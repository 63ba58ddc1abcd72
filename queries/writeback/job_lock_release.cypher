// job_lock_release — give up a job's lock when the run is done (succeeded or failed); a lock held by
// another run is left alone.
// Parameters: $job (STRING), $run_id (STRING).
// Returns: nothing.
MATCH (lock:JobLock {job: $job})
// reads the property it writes: the write lock comes before the read (as in job_lock_renew)
SET lock.run_id = CASE WHEN lock.run_id = $run_id THEN null ELSE lock.run_id END
WITH lock WHERE lock.run_id IS NULL
SET lock.heartbeat_at = null, lock.released_at = datetime();
