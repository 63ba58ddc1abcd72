// projection/as_of — the latest event time in the graph (purchases, follows, unfollows, returns).
// Parameters: none.
// Returns: one row: as_of as epoch nanoseconds (null for an empty graph), returns (count of Return nodes).
CALL () {
  MATCH (o:Order) RETURN max(o.purchased_at) AS t
  UNION ALL
  MATCH ()-[f:FOLLOWS]->() RETURN max(f.followed_at) AS t
  UNION ALL
  MATCH ()-[f:FOLLOWS]->() RETURN max(f.unfollowed_at) AS t
  UNION ALL
  MATCH (r:Return) RETURN max(r.returned_at) AS t
}
WITH max(t) AS latest
CALL () { MATCH (r:Return) RETURN count(r) AS returns }
RETURN latest.epochSeconds * 1000000000 + latest.nanosecond AS as_of, returns
