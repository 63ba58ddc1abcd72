// projection/follows — every follow (consumer subscribed to a streamer's live room).
// Parameters: $after (STRING: consumers after this consumer_id; '' for the first chunk), $limit (INTEGER:
// consumers per chunk). Chunks follow the Consumer(consumer_id) index order; each holds all the
// follows of its consumers, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [consumer_id, streamer_id, followed_at, unfollowed_at], times as epoch
// nanoseconds, unfollowed_at null while following), last (the chunk's last consumer_id; null when the
// chunk is empty, i.e. the table is done).
MATCH (c:Consumer) WHERE c.consumer_id > $after
WITH c ORDER BY c.consumer_id LIMIT $limit
WITH collect(c) AS chunk
CALL (chunk) {
  UNWIND chunk AS c
  MATCH (c)-[f:FOLLOWS]->(s:Streamer)
  RETURN collect([c.consumer_id, s.streamer_id,
                  f.followed_at.epochSeconds * 1000000000 + f.followed_at.nanosecond,
                  f.unfollowed_at.epochSeconds * 1000000000 + f.unfollowed_at.nanosecond]) AS rows
}
RETURN rows, chunk[-1].consumer_id AS last
