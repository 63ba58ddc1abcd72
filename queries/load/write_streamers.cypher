// write_streamers — create streamers, or fill a streamer known only from events.
// Parameters: $rows (list of {streamer_id, name, category, region}).
UNWIND $rows AS row
MERGE (s:Streamer {streamer_id: row.streamer_id})
SET s.name = row.name, s.category = row.category, s.region = row.region
