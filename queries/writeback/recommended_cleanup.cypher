// recommended_cleanup — delete RECOMMENDED relationships of every run but $keep (older runs, failed runs).
// Parameters: $keep (STRING or null: null deletes all recommendations).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH ()-[r:RECOMMENDED]->()
WHERE $keep IS NULL OR r.run_id <> $keep
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS;
