// create_follows — FOLLOWS relationships whose key the loader knows is new (the graph held no
// FOLLOWS when the run started and this run has not written the key): CREATE, no existence check.
// Consumers and streamers seen only here are created bare (MERGE). The batch comes as one list per
// column (no map per row).
// Parameters: $columns (map of lists, all of one length: consumer_id, streamer_id, followed_at,
// unfollowed_at: ISO-8601 UTC strings (unfollowed_at may be null)).
UNWIND range(0, size($columns.consumer_id) - 1) AS i
MERGE (c:Consumer {consumer_id: $columns.consumer_id[i]})
MERGE (s:Streamer {streamer_id: $columns.streamer_id[i]})
CREATE (c)-[:FOLLOWS {followed_at: datetime($columns.followed_at[i]),
                      unfollowed_at: datetime($columns.unfollowed_at[i])}]->(s)
