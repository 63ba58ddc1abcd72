// projection/consumers — every consumer (those known only from events have null attributes).
// Parameters: none.
// Returns: consumer_id, region, registered_at as epoch nanoseconds (exact; null when absent).
MATCH (c:Consumer)
RETURN c.consumer_id AS consumer_id, c.region AS region,
       c.registered_at.epochSeconds * 1000000000 + c.registered_at.nanosecond AS registered_at
