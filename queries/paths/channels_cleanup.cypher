// channels_cleanup — delete the CHANNEL relationships of every `paths` run but $keep.
// Parameters:
//   $keep  STRING  the run to keep (null: delete all CHANNEL relationships)
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH ()-[r:CHANNEL]->()
WHERE $keep IS NULL OR r.run_id <> $keep
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS;
