// co_audience_cleanup — delete the CoAudience nodes of every `paths` run but $keep, with their SHARES.
// Parameters:
//   $keep  STRING  the run to keep (null: delete them all)
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
// A hub's node has thousands of SHARES: a few nodes per transaction.
MATCH (n:CoAudience)
WHERE $keep IS NULL OR n.run_id <> $keep
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS;
