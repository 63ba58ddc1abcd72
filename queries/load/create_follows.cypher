// create_follows — FOLLOWS relationships whose key the loader knows is new (the graph held no
// FOLLOWS when the run started and this run has not written the key): CREATE, no existence check.
// Consumers and streamers seen only here are created bare (MERGE).
// Parameters: $rows (list of {consumer_id, streamer_id, followed_at, unfollowed_at: ISO-8601 UTC
// strings (unfollowed_at may be null)}).
UNWIND $rows AS row
MERGE (c:Consumer {consumer_id: row.consumer_id})
MERGE (s:Streamer {streamer_id: row.streamer_id})
CREATE (c)-[:FOLLOWS {followed_at: datetime(row.followed_at), unfollowed_at: datetime(row.unfollowed_at)}]->(s)
