// lookup_consumers — stored consumers among the given ids (duplicate / conflict checks).
// Parameters: $ids (list of consumer_id strings).
// Returns: consumer_id, region, registered_at as epoch nanoseconds (null when absent).
UNWIND $ids AS id
MATCH (n:Consumer {consumer_id: id})
RETURN n.consumer_id AS consumer_id, n.region AS region,
       n.registered_at.epochSeconds * 1000000000 + n.registered_at.nanosecond AS registered_at
