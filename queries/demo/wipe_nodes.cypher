// demo/wipe_nodes — `livetrust demo --reset`, step 2: delete every node (none has relationships left).
// Parameters: none. Needs an auto-commit transaction (CALL ... IN TRANSACTIONS).
// Returns: nothing.
MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS;
