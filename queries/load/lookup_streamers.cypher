// lookup_streamers — stored streamers among the given ids (duplicate / conflict checks).
// Parameters: $ids (list of streamer_id strings).
// Returns: streamer_id, name, category, region (all null for a streamer known only from events).
UNWIND $ids AS id
MATCH (n:Streamer {streamer_id: id})
RETURN n.streamer_id AS streamer_id, n.name AS name, n.category AS category, n.region AS region
