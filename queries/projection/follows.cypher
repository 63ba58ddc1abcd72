// projection/follows — every follow (consumer subscribed to a streamer's live room).
// Parameters: none.
// Returns: consumer_id, streamer_id, followed_at, unfollowed_at as epoch nanoseconds (null while following).
MATCH (c:Consumer)-[f:FOLLOWS]->(s:Streamer)
RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id,
       f.followed_at.epochSeconds * 1000000000 + f.followed_at.nanosecond AS followed_at,
       f.unfollowed_at.epochSeconds * 1000000000 + f.unfollowed_at.nanosecond AS unfollowed_at
