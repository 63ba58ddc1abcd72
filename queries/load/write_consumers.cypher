// write_consumers — create consumers, or fill a consumer known only from events.
// Parameters: $rows (list of {consumer_id, region, registered_at: ISO-8601 UTC string or null}).
UNWIND $rows AS row
MERGE (c:Consumer {consumer_id: row.consumer_id})
SET c.region = row.region, c.registered_at = datetime(row.registered_at)
