// extra_follows — extra input columns of follows rows become properties of their FOLLOWS relationship.
// Starts from the consumer's index seek only (hint; see lookup_follows).
// Parameters: $rows (list of {consumer_id, streamer_id, followed_at: ISO-8601 UTC string, extra: map}).
UNWIND $rows AS row
WITH row, datetime(row.followed_at) AS at
MATCH (c:Consumer {consumer_id: row.consumer_id})-[f:FOLLOWS]->(s)
USING INDEX SEEK c:Consumer(consumer_id)
WHERE f.followed_at = at AND s.streamer_id = row.streamer_id
SET f += row.extra
