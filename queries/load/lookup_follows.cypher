// lookup_follows — stored follows among the given keys (duplicate / conflict checks).
// The only index seek is the consumer's (few follows each): the pattern leaves the streamer
// unindexed on purpose and the consumer index is a hint: no plan may expand a streamer with
// 10^5 followers, or scan all FOLLOWS (what the planner picks while the graph is empty), per key.
// Parameters: $keys (list of {consumer_id, streamer_id, followed_at: ISO-8601 UTC string}).
// Returns: consumer_id, streamer_id, followed_at and unfollowed_at as epoch nanoseconds.
UNWIND $keys AS k
WITH k, datetime(k.followed_at) AS at
MATCH (c:Consumer {consumer_id: k.consumer_id})-[f:FOLLOWS]->(s)
USING INDEX SEEK c:Consumer(consumer_id)
WHERE f.followed_at = at AND s.streamer_id = k.streamer_id
RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id,
       f.followed_at.epochSeconds * 1000000000 + f.followed_at.nanosecond AS followed_at,
       f.unfollowed_at.epochSeconds * 1000000000 + f.unfollowed_at.nanosecond AS unfollowed_at
