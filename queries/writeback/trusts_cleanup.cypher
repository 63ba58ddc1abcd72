// trusts_cleanup — delete bonds of every run but $keep (older runs, failed runs).
// Parameters: $keep (STRING or null: null deletes all bonds).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH ()-[t:TRUSTS]->()
WHERE $keep IS NULL OR t.run_id <> $keep
CALL (t) { DELETE t } IN TRANSACTIONS OF 20000 ROWS;
