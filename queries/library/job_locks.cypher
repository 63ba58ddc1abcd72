// name: job_locks
// answers: Which run of each job (score, paths, recommend) is writing to the database now, since when, its last heartbeat, and whether its lock is live or stale (a stale lock's process is gone; the next run of the job takes it over).
// param: stale_after INTEGER >= 0 = 600  seconds without a heartbeat after which a lock is stale (the jobs' default)
// returns: job, run_id (null: nobody is writing), state (writing, stale or free), acquired_at, heartbeat_at, seconds_since_heartbeat, released_at
MATCH (lock:JobLock)
WITH lock, lock.run_id IS NOT NULL AND lock.heartbeat_at >= datetime() - duration({seconds: $stale_after}) AS live
RETURN lock.job AS job, lock.run_id AS run_id,
       CASE WHEN lock.run_id IS NULL THEN 'free' WHEN live THEN 'writing' ELSE 'stale' END AS state,
       toString(lock.acquired_at) AS acquired_at, toString(lock.heartbeat_at) AS heartbeat_at,
       CASE WHEN lock.heartbeat_at IS NULL THEN null
            ELSE duration.inSeconds(lock.heartbeat_at, datetime()).seconds END AS seconds_since_heartbeat,
       toString(lock.released_at) AS released_at
ORDER BY job;
