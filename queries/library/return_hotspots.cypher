// name: return_hotspots
// answers: Product x streamer pairs whose return rate is far above the same product's rate through all other streamers (exaggerated claims, a bad batch, a brushing ring).
// param: min_units INTEGER >= 0 = 10  ignore pairs with fewer units sold
// param: min_lift FLOAT >= 0 = 2.0  pair return rate / the product's rate elsewhere (floored at 1%)
// param: limit INTEGER >= 0 = 50  how many rows
// returns: product_id, streamer_id, units, returned_units, return_rate, product_rate_elsewhere, lift
MATCH (p:Product)<-[:OF_PRODUCT]-(o:Order)-[:SOLD_BY]->(s:Streamer)
WITH p, s, sum(o.quantity) AS units, sum(coalesce(o.returned_quantity, 0)) AS returned
WITH p, collect({streamer_id: s.streamer_id, units: units, returned: returned}) AS pairs,
     sum(units) AS product_units, sum(returned) AS product_returned
UNWIND pairs AS pair
WITH p, pair, product_units - pair.units AS other_units, product_returned - pair.returned AS other_returned
WHERE pair.units >= $min_units
WITH p, pair, toFloat(pair.returned) / pair.units AS rate,
     CASE WHEN other_units > 0 THEN toFloat(other_returned) / other_units ELSE null END AS elsewhere
WITH p, pair, rate, elsewhere,
     rate / CASE WHEN coalesce(elsewhere, 0.0) < 0.01 THEN 0.01 ELSE elsewhere END AS lift
WHERE elsewhere IS NOT NULL AND lift >= $min_lift
RETURN p.product_id AS product_id, pair.streamer_id AS streamer_id, pair.units AS units,
       pair.returned AS returned_units, rate AS return_rate, elsewhere AS product_rate_elsewhere, lift
ORDER BY lift DESC, units DESC, product_id, streamer_id
LIMIT $limit;
