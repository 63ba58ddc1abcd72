// pending_delete — forget pending rows that a later load resolved (loaded, duplicate or quarantined).
// Parameters: $stream, $keys (list of pending keys).
UNWIND $keys AS key
MATCH (p:Pending {stream: $stream, key: key})
DELETE p
