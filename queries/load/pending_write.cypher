// pending_write — keep valid rows that wait for something (a product, an order) as :Pending nodes.
// One node per (stream, key); the first run that saw it stays recorded.
// Parameters: $stream (contract stream name), $run_id, $rows (list of {key, file, row, reason,
// detail, values: JSON object text of the row as read}).
UNWIND $rows AS row
MERGE (p:Pending {stream: $stream, key: row.key})
ON CREATE SET p.run_id = $run_id, p.file = row.file, p.row = row.row, p.values = row.values
SET p.reason = row.reason, p.detail = row.detail
