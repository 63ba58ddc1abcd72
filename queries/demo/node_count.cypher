// demo/node_count — is the demo's database empty? (the demo refuses one holding other data)
// Parameters: none.
// Returns: nodes INTEGER, the number of nodes in the database.
MATCH (n) RETURN count(n) AS nodes;
