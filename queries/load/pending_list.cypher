// pending_list — the pending rows of one stream stored by earlier runs, to retry them, in the order
// they arrived: by run (run ids start with their time), then file and row.
// Parameters: $stream, $run_id (the current run: its own pending rows are not retried).
// Returns: key, file, row, values (JSON text), run_id.
MATCH (p:Pending {stream: $stream})
WHERE p.run_id <> $run_id
RETURN p.key AS key, p.file AS file, p.row AS row, p.values AS values, p.run_id AS run_id
ORDER BY p.run_id, p.file, p.row, p.key
