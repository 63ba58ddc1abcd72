// job_lock_holder — which run holds a job's lock, and whether it is live (read only: a write batch
// checks it before it writes without taking the lock node's write lock, which would serialise the
// writers; a job checks it before its long read, to refuse at once while another run writes).
// Parameters: $job (STRING), $stale_after (INTEGER, seconds without a heartbeat that make a lock stale).
// Returns: holder (STRING or null), held_since, heartbeat (STRING: ISO times), process (STRING or null:
//          the holder's machine and process), live (BOOLEAN: held and renewed within $stale_after
//          seconds); no row when the job has no lock node.
MATCH (lock:JobLock {job: $job})
RETURN lock.run_id AS holder, toString(lock.acquired_at) AS held_since, toString(lock.heartbeat_at) AS heartbeat,
       lock.process AS process,
       lock.run_id IS NOT NULL AND lock.heartbeat_at >= datetime() - duration({seconds: $stale_after}) AS live;
