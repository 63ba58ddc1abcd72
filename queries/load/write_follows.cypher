// write_follows — one FOLLOWS relationship per (consumer, streamer, followed_at); consumers and
// streamers seen only here are created bare. Both ends are bound before the relationship MERGE
// (Expand(Into) checks from the side with fewer relationships).
// Parameters: $rows (list of {consumer_id, streamer_id, followed_at, unfollowed_at: ISO-8601 UTC
// strings (unfollowed_at may be null)}).
UNWIND $rows AS row
MERGE (c:Consumer {consumer_id: row.consumer_id})
MERGE (s:Streamer {streamer_id: row.streamer_id})
MERGE (c)-[f:FOLLOWS {followed_at: datetime(row.followed_at)}]->(s)
SET f.unfollowed_at = datetime(row.unfollowed_at)
