// create_consumers — consumers whose consumer_id the loader knows is new (no Consumer when the run
// started, not written by this run): CREATE, no existence check. The batch comes as one list per
// column (no map per row: fewer objects to encode and decode).
// Parameters: $columns (map of lists, all of one length: consumer_id, region, registered_at:
// ISO-8601 UTC string; null = no property).
UNWIND range(0, size($columns.consumer_id) - 1) AS i
CREATE (c:Consumer {consumer_id: $columns.consumer_id[i], region: $columns.region[i],
                    registered_at: datetime($columns.registered_at[i])})
