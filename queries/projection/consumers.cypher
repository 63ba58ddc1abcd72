// projection/consumers — every consumer (those known only from events have null attributes).
// Parameters: $after (STRING: read keys after this one; '' for the first chunk), $limit (INTEGER:
// consumers per chunk). Chunks follow the Consumer(consumer_id) index order, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [consumer_id, region, registered_at]: registered_at as epoch nanoseconds, exact; null when absent),
// last (the chunk's last consumer_id; null when the chunk is empty, i.e. the table is done).
MATCH (c:Consumer) WHERE c.consumer_id > $after
WITH c ORDER BY c.consumer_id LIMIT $limit
RETURN collect([c.consumer_id, c.region,
                c.registered_at.epochSeconds * 1000000000 + c.registered_at.nanosecond]) AS rows,
       max(c.consumer_id) AS last
