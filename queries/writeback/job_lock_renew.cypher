// job_lock_renew — the holder's heartbeat, and the check before a run is made current: renew the
// job's lock if $run_id holds it, and say whether it does. A run that lost its lock (it stalled
// longer than the stale time and another run took over) must not publish or write on.
// Parameters: $job (STRING), $run_id (STRING).
// Returns: held (BOOLEAN), holder (STRING or null); no row when the job has no lock node.
MATCH (lock:JobLock {job: $job})
// the value reads the property it writes: the node's write lock is taken before the read, so a
// takeover cannot slip in between the check and the renewal
SET lock.heartbeat_at = CASE WHEN lock.run_id = $run_id THEN datetime() ELSE lock.heartbeat_at END
RETURN lock.run_id = $run_id AS held, lock.run_id AS holder;
