// pending_any — does the stream hold any pending row? (when not, a load skips the pending
// look-ups of its chunks).
// Parameters: $stream (contract stream name).
// Returns: one row (key) when it does, none otherwise.
MATCH (p:Pending {stream: $stream})
RETURN p.key AS key
LIMIT 1
