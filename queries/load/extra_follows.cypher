// extra_follows — extra input columns of follows rows become properties of their FOLLOWS relationship.
// Parameters: $rows (list of {consumer_id, streamer_id, followed_at: ISO-8601 UTC string, extra: map}).
UNWIND $rows AS row
MATCH (c:Consumer {consumer_id: row.consumer_id})-[f:FOLLOWS]->(s:Streamer {streamer_id: row.streamer_id})
WHERE f.followed_at = datetime(row.followed_at)
SET f += row.extra
