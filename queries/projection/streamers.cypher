// projection/streamers — every streamer (those known only from events have null attributes).
// Parameters: none.
// Returns: streamer_id, name, category, region.
MATCH (s:Streamer)
RETURN s.streamer_id AS streamer_id, s.name AS name, s.category AS category, s.region AS region
