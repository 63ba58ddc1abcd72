// create_consumers — consumers whose consumer_id the loader knows is new (no Consumer when the run
// started, not written by this run): CREATE, no existence check.
// Parameters: $rows (list of {consumer_id, region, registered_at: ISO-8601 UTC string or null}).
UNWIND $rows AS row
CREATE (c:Consumer {consumer_id: row.consumer_id, region: row.region, registered_at: datetime(row.registered_at)})
