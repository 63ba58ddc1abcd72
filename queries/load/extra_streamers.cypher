// extra_streamers — extra input columns of streamers rows become properties of their :Streamer
// ("the project may accept more"); run only when the file has extra columns.
// Parameters: $rows (list of {streamer_id, extra: map of column -> text, empty values left out}).
UNWIND $rows AS row
MATCH (n:Streamer {streamer_id: row.streamer_id})
SET n += row.extra
