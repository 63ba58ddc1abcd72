// projection/streamers — every streamer (those known only from events have null attributes).
// Parameters: $after (STRING: read keys after this one; '' for the first chunk), $limit (INTEGER:
// streamers per chunk). Chunks follow the Streamer(streamer_id) index order, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [streamer_id, name, category, region]: strings),
// last (the chunk's last streamer_id; null when the chunk is empty, i.e. the table is done).
MATCH (s:Streamer) WHERE s.streamer_id > $after
WITH s ORDER BY s.streamer_id LIMIT $limit
RETURN collect([s.streamer_id, s.name, s.category, s.region]) AS rows,
       max(s.streamer_id) AS last
