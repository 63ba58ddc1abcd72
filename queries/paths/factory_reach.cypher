// factory_reach — the consumers a factory reaches through trusted streamers: direct buyers and
// prospective consumers (a bond to a streamer that sold its products, no purchase of them yet),
// ranked by path trust (the `factory_reach` output of `livetrust paths`).
// Parameters:
//   $factory_id     STRING   required
//   $kind           STRING   default null  ('direct', 'prospective'; null: both)
//   $top_k          INTEGER  default 1000  (rows per kind; null: all)
//   $carry_prior    FLOAT    default 5.0   (prior weight m, in units, of the carry trust)
//   $missing_trust  FLOAT    default 0.5   (prior mean for a product without trust)
//   $min_bond       FLOAT    default 0.0   (bonds with trust 0 or below this are ignored)
//   $score_run_id   STRING   default null  (null: the current `score` run's TRUSTS)
// Returns: factory_id STRING, consumer_id STRING, kind STRING, path_trust FLOAT,
//   via_streamer STRING (null for a buyer without a bond path), rank INTEGER, and the path's parts (null
//   without a bond path): via_product STRING (the factory's product of via_streamer with the best carry,
//   ties: smallest product_id), bond_trust FLOAT, consumer_credibility FLOAT (1 where none was stored),
//   bond_confidence FLOAT, carry_trust FLOAT; ordered by kind, rank.
//   path_trust(f, c) = max over streamers s of b(c, s) * K(f, s), b(c, s) = TRUSTS.trust times the
//   consumer's credibility (1 where none was stored); K(f, s) = max over f's products p
//   sold by s of kappa(s, p) = (units - returned + m * p.trust) / (units + m).
MATCH (f:Factory {factory_id: $factory_id})
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH f, coalesce($score_run_id, run.run_id) AS rid
CALL (f, rid) {
  MATCH (f)<-[:MADE_BY]-(p:Product)<-[:OF_PRODUCT]-(o:Order)-[:SOLD_BY]->(s:Streamer)
  WITH s, p, sum(o.quantity) AS units, sum(coalesce(o.returned_quantity, 0)) AS returned
  WITH s, p, (toFloat(units - returned) + $carry_prior * coalesce([(p)-[sc:PRODUCT_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0], $missing_trust))
              / (units + $carry_prior) AS k
  ORDER BY k DESC, p.product_id
  WITH s, collect({k: k, product_id: p.product_id})[0] AS best
  WHERE best.k > 0
  RETURN collect({s: s, k: best.k, product_id: best.product_id}) AS carriers
}
CALL (f, rid, carriers) {
  UNWIND carriers AS carrier
  WITH rid, carrier.s AS s, carrier.k AS k, carrier.product_id AS pid
  MATCH (s)<-[t:TRUSTS]-(c:Consumer)
  WHERE t.run_id = rid AND t.trust > 0 AND t.trust >= $min_bond
  WITH c, s, k, pid, t, coalesce(t.consumer_credibility, 1.0) AS cred
  RETURN c, s.streamer_id AS sid, t.trust * cred * k AS v, 0 AS bought,
         {via_product: pid, bond_trust: t.trust, consumer_credibility: cred, bond_confidence: t.confidence,
          carry_trust: k} AS parts
  UNION ALL
  MATCH (f)<-[:MADE_BY]-(:Product)<-[:OF_PRODUCT]-(:Order)<-[:PLACED]-(c:Consumer)
  RETURN DISTINCT c, null AS sid, 0.0 AS v, 1 AS bought, null AS parts
}
WITH f, c, sid, v, bought, parts
ORDER BY v DESC, sid
WITH f, c, max(v) AS path_trust, collect(sid)[0] AS via_streamer, collect(parts)[0] AS parts, max(bought) AS bought
WITH f, c, path_trust, via_streamer, parts, CASE WHEN bought = 1 THEN 'direct' ELSE 'prospective' END AS kind
WHERE $kind IS NULL OR kind = $kind
WITH f, kind, {consumer_id: c.consumer_id, path_trust: path_trust, via_streamer: via_streamer, parts: parts} AS r
ORDER BY kind, r.path_trust DESC, r.consumer_id
WITH f, kind, collect(r) AS ranked
WITH f, kind, CASE WHEN $top_k IS NULL THEN ranked ELSE ranked[0..$top_k] END AS ranked
ORDER BY kind
// no ORDER BY after the UNWIND: rows keep the list order (a sort there would hold every list per row)
UNWIND range(0, size(ranked) - 1) AS i
RETURN f.factory_id AS factory_id, ranked[i].consumer_id AS consumer_id, kind, ranked[i].path_trust AS path_trust,
       ranked[i].via_streamer AS via_streamer, i + 1 AS rank, ranked[i].parts.via_product AS via_product,
       ranked[i].parts.bond_trust AS bond_trust, ranked[i].parts.consumer_credibility AS consumer_credibility,
       ranked[i].parts.bond_confidence AS bond_confidence, ranked[i].parts.carry_trust AS carry_trust;
