// bond_evidence — the evidence behind consumer -> streamer bonds: the bond's trust and confidence,
// the follow, and what the consumer bought from the streamer (used by `livetrust paths explain`).
// Parameters:
//   $pairs         LIST<MAP>  required: {consumer_id STRING, streamer_id STRING}
//   $score_run_id  STRING     default null (null: the current `score` run's TRUSTS)
// Returns: consumer_id STRING, streamer_id STRING, trust FLOAT, confidence FLOAT, credibility FLOAT (the
//   consumer's credibility the bond stored; null where none),
//   followed_at DATETIME (first follow; null if none), unfollowed_at DATETIME (null while following),
//   orders INTEGER, units INTEGER, returned_units INTEGER.
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH coalesce($score_run_id, run.run_id) AS rid
UNWIND $pairs AS pair
MATCH (c:Consumer {consumer_id: pair.consumer_id})
MATCH (s:Streamer {streamer_id: pair.streamer_id})
CALL (c, s, rid) {
  OPTIONAL MATCH (c)-[t:TRUSTS]->(s)
  WHERE t.run_id = rid
  RETURN max(t.trust) AS trust, max(t.confidence) AS confidence, max(t.consumer_credibility) AS credibility
}
CALL (c, s) {
  OPTIONAL MATCH (c)-[fo:FOLLOWS]->(s)
  RETURN min(fo.followed_at) AS followed_at,
         CASE WHEN count(fo) = 0 OR count(fo) > count(fo.unfollowed_at) THEN null
              ELSE max(fo.unfollowed_at) END AS unfollowed_at
}
CALL (c, s) {
  OPTIONAL MATCH (c)-[:PLACED]->(o:Order)-[:SOLD_BY]->(s)
  RETURN count(o) AS orders, coalesce(sum(o.quantity), 0) AS units,
         coalesce(sum(coalesce(o.returned_quantity, 0)), 0) AS returned_units
}
RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id, trust, confidence, credibility, followed_at,
       unfollowed_at, orders, units, returned_units;
