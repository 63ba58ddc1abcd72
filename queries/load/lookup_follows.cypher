// lookup_follows — stored follows among the given keys (duplicate / conflict checks).
// Parameters: $keys (list of {consumer_id, streamer_id, followed_at: ISO-8601 UTC string}).
// Returns: consumer_id, streamer_id, followed_at and unfollowed_at as epoch nanoseconds.
// Both nodes are bound before the relationship is matched, so the plan is Expand(Into),
// which walks the side with fewer relationships. Matched as one pattern, a plan cached
// while the graph had no FOLLOWS walked a streamer's whole audience for every key.
UNWIND $keys AS k
MATCH (c:Consumer {consumer_id: k.consumer_id})
MATCH (s:Streamer {streamer_id: k.streamer_id})
CALL (c, s, k) {
  MATCH (c)-[f:FOLLOWS]->(s)
  WHERE f.followed_at = datetime(k.followed_at)
  RETURN f
}
RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id,
       f.followed_at.epochSeconds * 1000000000 + f.followed_at.nanosecond AS followed_at,
       f.unfollowed_at.epochSeconds * 1000000000 + f.unfollowed_at.nanosecond AS unfollowed_at
