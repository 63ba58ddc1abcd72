// pending_lookup — stored pending rows among the given keys (a key pending with other values
// is a conflict).
// Parameters: $stream, $keys (list of pending keys).
// Returns: key, values (JSON text).
UNWIND $keys AS key
MATCH (p:Pending {stream: $stream, key: key})
RETURN p.key AS key, p.values AS values
