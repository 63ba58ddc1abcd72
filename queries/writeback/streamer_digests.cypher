// streamer_digests — set each streamer's precomputed audience and weekly return trend (before the switch: readers
// use a digest only when digest_run_id is the current run's; the trend, with its digest_read_at, holds
// whatever run wrote it).
// Parameters: $run_id (STRING), $rows (LIST<MAP>: id STRING, props MAP of audience_top LIST<STRING>,
// audience_bonds INTEGER, trend_weeks LIST<STRING>, trend_orders / trend_units / trend_returned_units LIST<INTEGER>).
// Returns: nothing.
UNWIND $rows AS row
MATCH (n:Streamer {streamer_id: row.id})
SET n += row.props, n.digest_run_id = $run_id;
