// co_audience_cleanup — delete the CoAudience nodes of every `paths` run but $keep.
// Parameters:
//   $keep  STRING  the run to keep (null: delete them all)
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH (n:CoAudience)
WHERE $keep IS NULL OR n.run_id <> $keep
CALL (n) { DELETE n } IN TRANSACTIONS OF 200 ROWS;
