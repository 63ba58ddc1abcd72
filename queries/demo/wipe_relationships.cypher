// demo/wipe_relationships — `livetrust demo --reset`, step 1: delete every relationship.
// Relationships go first, in batches, so each transaction's memory stays bounded whatever the
// nodes' degrees (a DETACH DELETE of a hub node holds all its relationships at once).
// Parameters: none. Needs an auto-commit transaction (CALL ... IN TRANSACTIONS).
// Returns: nothing.
MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS;
