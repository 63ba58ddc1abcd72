// pair_exists — whether a factory and a consumer exist (for a clear error in `paths explain`).
// Parameters:
//   $factory_id   STRING  required
//   $consumer_id  STRING  required
// Returns: factory_found BOOLEAN, consumer_found BOOLEAN.
OPTIONAL MATCH (f:Factory {factory_id: $factory_id})
OPTIONAL MATCH (c:Consumer {consumer_id: $consumer_id})
RETURN f IS NOT NULL AS factory_found, c IS NOT NULL AS consumer_found;
