// factory_demand — demand back to the factory (C2M): what a factory's audience buys and sends
// back, by consumer region and product category (the `factory_demand` output of `livetrust paths`).
// The audience: the factory's buyers, and every consumer with a bond (TRUSTS) to a streamer that
// sold its products. All of the audience's orders count, of any factory's products.
// Parameters:
//   $factory_id    STRING  default null  (null: every factory)
//   $min_bond      FLOAT   default 0.0   (bonds with trust 0 or below this are ignored)
//   $score_run_id  STRING  default null  (null: the current `score` run's TRUSTS)
// Returns: factory_id STRING, region STRING, category STRING ('unknown' when missing or not a string),
//   orders INTEGER, units INTEGER, gmv FLOAT, returned_units INTEGER, return_rate FLOAT,
//   consumers INTEGER (audience consumers with an order in the category);
//   ordered by factory_id, region, category.
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH coalesce($score_run_id, run.run_id) AS rid
MATCH (f:Factory)
WHERE $factory_id IS NULL OR f.factory_id = $factory_id
CALL (f, rid) {
  MATCH (f)<-[:MADE_BY]-(:Product)<-[:OF_PRODUCT]-(:Order)<-[:PLACED]-(c:Consumer)
  RETURN c
  UNION
  MATCH (f)<-[:MADE_BY]-(:Product)<-[:OF_PRODUCT]-(:Order)-[:SOLD_BY]->(s:Streamer)
  WITH DISTINCT rid, s
  MATCH (s)<-[t:TRUSTS]-(c:Consumer)
  WHERE t.run_id = rid AND t.trust > 0 AND t.trust >= $min_bond
  RETURN c
}
MATCH (c)-[:PLACED]->(o:Order)-[:OF_PRODUCT]->(p:Product)
WITH f, c, o,
     CASE WHEN c.region IS :: STRING NOT NULL AND trim(c.region) <> '' THEN trim(c.region) ELSE 'unknown' END AS region,
     CASE WHEN p.category IS :: STRING NOT NULL AND trim(p.category) <> '' THEN trim(p.category) ELSE 'unknown' END
       AS category
WITH f.factory_id AS factory_id, region, category, count(o) AS orders, sum(o.quantity) AS units,
     sum(o.amount) AS gmv, sum(coalesce(o.returned_quantity, 0)) AS returned_units, count(DISTINCT c) AS consumers
RETURN factory_id, region, category, orders, units, gmv, returned_units,
       CASE WHEN units > 0 THEN toFloat(returned_units) / units ELSE 0.0 END AS return_rate, consumers
ORDER BY factory_id, region, category;
