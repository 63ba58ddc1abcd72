// factory_channels — which streamers carry a factory's goods, and how much consumer trust each
// channel carries to them (the `factory_channels` output of `livetrust paths`).
// Parameters:
//   $factory_id    STRING  default null  (null: every factory)
//   $min_bond      FLOAT   default 0.0   (bonds with trust 0 or below this are ignored)
//   $score_run_id  STRING  default null  (null: the current `score` run's TRUSTS)
// Returns: one row per (factory, streamer) with sales, ordered by factory_id, rank:
//   factory_id STRING, streamer_id STRING, orders INTEGER, gmv FLOAT, units INTEGER,
//   returned_units INTEGER, return_rate FLOAT, buyers INTEGER, share_of_factory_gmv FLOAT,
//   flow_score FLOAT, rank INTEGER, trust_mass FLOAT (T(s)), streamer_gmv FLOAT (gmv(s)).
//   flow_score = T(s) * gmv(f, s) / gmv(s), T(s) = sum of the streamer's bond weights b(c, s) = TRUSTS.trust
//   times the consumer's credibility (TRUSTS.consumer_credibility; 1 where none was stored);
//   rank 1 = largest flow_score in the factory (ties: larger gmv, then streamer_id).
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH coalesce($score_run_id, run.run_id) AS rid
MATCH (f:Factory)
WHERE $factory_id IS NULL OR f.factory_id = $factory_id
MATCH (f)<-[:MADE_BY]-(:Product)<-[:OF_PRODUCT]-(o:Order)-[:SOLD_BY]->(s:Streamer)
MATCH (c:Consumer)-[:PLACED]->(o)
WITH rid, f, s, count(o) AS orders, sum(o.amount) AS gmv, sum(o.quantity) AS units,
     sum(coalesce(o.returned_quantity, 0)) AS returned_units, count(DISTINCT c) AS buyers
CALL (s, rid) {
  OPTIONAL MATCH (s)<-[t:TRUSTS]-(:Consumer)
  WHERE t.run_id = rid AND t.trust > 0 AND t.trust >= $min_bond
  RETURN coalesce(sum(t.trust * coalesce(t.consumer_credibility, 1.0)), 0.0) AS trust_mass
}
CALL (s) {
  MATCH (s)<-[:SOLD_BY]-(so:Order)-[:OF_PRODUCT]->(:Product)
  RETURN sum(so.amount) AS streamer_gmv
}
WITH f, {streamer_id: s.streamer_id, orders: orders, gmv: gmv, units: units, returned_units: returned_units,
         buyers: buyers, trust_mass: trust_mass, streamer_gmv: streamer_gmv,
         flow_score: CASE WHEN streamer_gmv > 0 THEN trust_mass * (gmv / streamer_gmv) ELSE 0.0 END} AS ch
ORDER BY f.factory_id, ch.flow_score DESC, ch.gmv DESC, ch.streamer_id
WITH f, collect(ch) AS ranked
WITH f, ranked, reduce(total = 0.0, x IN ranked | total + x.gmv) AS factory_gmv
ORDER BY f.factory_id
// no ORDER BY after the UNWIND: rows keep the list order (a sort there would hold every list per row)
UNWIND range(0, size(ranked) - 1) AS i
WITH f, factory_gmv, ranked[i] AS ch, i + 1 AS rank
RETURN f.factory_id AS factory_id, ch.streamer_id AS streamer_id, ch.orders AS orders, ch.gmv AS gmv,
       ch.units AS units, ch.returned_units AS returned_units,
       CASE WHEN ch.units > 0 THEN toFloat(ch.returned_units) / ch.units ELSE 0.0 END AS return_rate,
       ch.buyers AS buyers,
       CASE WHEN factory_gmv > 0 THEN ch.gmv / factory_gmv ELSE 0.0 END AS share_of_factory_gmv,
       ch.flow_score AS flow_score, rank, ch.trust_mass AS trust_mass, toFloat(ch.streamer_gmv) AS streamer_gmv;
