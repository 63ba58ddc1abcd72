// name: fraud_suspects
// answers: Streamers that look like fraud: many followers who never buy anything (bought followers), or many buyers who buy only there and send most of it back (brushing rings).
// param: min_followers INTEGER >= 0 = 20  ignore streamers with fewer followers
// param: min_share FLOAT >= 0 = 0.5  flag when either share reaches this
// param: limit INTEGER >= 0 = 50  how many rows
// returns: streamer_id, followers (ever: ended follows included), never_buying_followers, never_buying_share, buyers, returning_only_buyers, returning_only_share, suspicion
MATCH (s:Streamer)
WITH s, COUNT { (s)<-[:FOLLOWS]-() } AS followers
WHERE followers >= $min_followers
CALL (s) {
  MATCH (s)<-[:FOLLOWS]-(c:Consumer)
  WITH DISTINCT c
  RETURN count(CASE WHEN NOT EXISTS { (c)-[:PLACED]->() } THEN 1 END) AS never_buying
}
CALL (s) {
  MATCH (s)<-[:SOLD_BY]-(o:Order)<-[:PLACED]-(c:Consumer)
  WITH c, sum(o.quantity) AS units, sum(coalesce(o.returned_quantity, 0)) AS returned
  WITH c, units, returned, COUNT { (c)-[:PLACED]->(:Order)-[:SOLD_BY]->(other:Streamer) WHERE other <> s } AS elsewhere
  RETURN count(c) AS buyers,
         count(CASE WHEN elsewhere = 0 AND returned >= 0.8 * units THEN 1 END) AS returning_only
}
WITH s, followers, never_buying, buyers, returning_only,
     toFloat(never_buying) / followers AS never_share,
     CASE WHEN buyers > 0 THEN toFloat(returning_only) / buyers ELSE 0.0 END AS returning_share
WITH *, CASE WHEN never_share > returning_share THEN never_share ELSE returning_share END AS suspicion
WHERE suspicion >= $min_share
RETURN s.streamer_id AS streamer_id, followers, never_buying AS never_buying_followers,
       never_share AS never_buying_share, buyers, returning_only AS returning_only_buyers,
       returning_share AS returning_only_share, suspicion
ORDER BY suspicion DESC, followers DESC, streamer_id
LIMIT $limit;
