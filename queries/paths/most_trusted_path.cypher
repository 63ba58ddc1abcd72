// most_trusted_path — the most trusted paths from a factory to a consumer, with the evidence of the
// streamer → product → factory hops (`livetrust paths explain` against Neo4j).
// Path trust = product of edge trusts: bond b(c, s) (TRUSTS.trust times the consumer's credibility,
// TRUSTS.consumer_credibility, 1 where none was stored: a bought follower's bond counts little), carry kappa(s, p) =
// (units - returned + m * p.trust) / (units + m) over the orders of p sold by s, made-by 1.
// Direct paths c -> s -> p -> f first; only when there is none, paths through one shared streamer
// c -> s1 <- c2 -> s2 -> p -> f (trust b(c, s1) * b(c2, s1) * b(c2, s2) * kappa(s2, p)).
// Each streamer enters with its most trusted product of the factory (ties: smallest product_id).
// Shared-streamer paths come from the current paths run's co-audience index (CoAudience nodes joined
// by SHARES: per streamer pair the best shared consumers) when it was built from the same bonds, else live from the
// TRUSTS relationships (same answer; the live join reads whole audiences, seconds for hub streamers).
// Parameters:
//   $factory_id     STRING   required
//   $consumer_id    STRING   required
//   $top            INTEGER  default 5
//   $max_hops       INTEGER  default 1    (shared-streamer hops searched when no direct path: 0 or 1)
//   $carry_prior    FLOAT    default 5.0
//   $missing_trust  FLOAT    default 0.5
//   $min_bond       FLOAT    default 0.0
//   $score_run_id   STRING   default null (null: the current `score` run's TRUSTS)
// Returns: rank INTEGER, path_trust FLOAT, shared_hops INTEGER, consumer_id STRING,
//   first_streamer STRING, via_consumer STRING (null for a direct path), streamer_id STRING (the one
//   that sold the product), product_id STRING, bond_weights LIST<FLOAT> (each bond's b(c, s), in path order),
//   carry_trust FLOAT, carry_orders INTEGER, carry_units INTEGER, carry_returned_units INTEGER,
//   product_trust FLOAT, product_name STRING, category STRING, streamer_trust FLOAT,
//   streamer_name STRING, factory_id STRING, factory_trust FLOAT, factory_name STRING.
MATCH (f:Factory {factory_id: $factory_id})
USING INDEX SEEK f:Factory(factory_id)
MATCH (c:Consumer {consumer_id: $consumer_id})
USING INDEX SEEK c:Consumer(consumer_id)
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH f, c, coalesce($score_run_id, run.run_id) AS rid
CALL (f, rid) {
  // a pair's orders, units and returns: as counted on its CARRIES by a paths run when no load has
  // added rows since (a few hundred relationships), else from the factory's orders
  OPTIONAL MATCH (f)<-[:MADE_BY]-(:Product)<-[cr:CARRIES]-(:Streamer)
  WITH f, count(cr) AS pairs, count(cr.counted_at) AS counted, min(cr.counted_at) AS since
  WITH f, pairs = counted
          AND NOT EXISTS { MATCH (l:LoadRun) WHERE l.finished_at > since AND (l.loaded > 0 OR l.pending_resolved > 0) }
          AS use_counts
  CALL (f, use_counts) {
    WITH f WHERE use_counts
    MATCH (f)<-[:MADE_BY]-(p:Product)<-[cr:CARRIES]-(s:Streamer)
    RETURN s, p, cr.orders AS orders, cr.units AS units, cr.returned_units AS returned
    UNION ALL
    WITH f WHERE NOT use_counts
    MATCH (f)<-[:MADE_BY]-(p:Product)<-[:OF_PRODUCT]-(o:Order)-[:SOLD_BY]->(s:Streamer)
    RETURN s, p, count(o) AS orders, sum(o.quantity) AS units, sum(coalesce(o.returned_quantity, 0)) AS returned
  }
  WITH s, p, orders, units, returned,
       (toFloat(units - returned) + $carry_prior * coalesce([(p)-[sc:PRODUCT_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0], $missing_trust)) / (units + $carry_prior) AS k
  ORDER BY k DESC, p.product_id
  WITH s, collect({p: p, k: k, orders: orders, units: units, returned: returned})[0] AS best
  WHERE best.k > 0
  RETURN collect(s) AS carrier_streamers, collect(best) AS carrier_best
}
CALL (c, rid, carrier_streamers, carrier_best) {
  MATCH (c)-[t:TRUSTS]->(s:Streamer)
  WHERE t.run_id = rid AND t.trust > 0 AND t.trust >= $min_bond AND s IN carrier_streamers
  WITH t, s, carrier_best[[i IN range(0, size(carrier_streamers) - 1) WHERE carrier_streamers[i] = s][0]] AS x
  WITH s, x, t.trust * coalesce(t.consumer_credibility, 1.0) AS b
  WITH s, x, b, b * x.k AS trust
  ORDER BY trust DESC, s.streamer_id
  LIMIT $top
  RETURN collect({trust: trust, hops: 0, bonds: [b], s1: s, c2: null, s: s, x: x}) AS direct
}
CALL (c, rid, carrier_streamers, carrier_best, direct) {
  WITH c, rid, carrier_streamers, carrier_best, direct
  WHERE size(direct) = 0 AND $max_hops >= 1
  MATCH (c)-[t1:TRUSTS]->(s1:Streamer)
  WHERE t1.run_id = rid AND t1.trust > 0 AND t1.trust >= $min_bond
  WITH c, rid, carrier_streamers, carrier_best, collect(s1) AS mine, collect(t1.trust * coalesce(t1.consumer_credibility, 1.0)) AS mine_t
  // the current paths run's co-audience index answers when it holds every streamer of the consumer
  // and was built from the same bonds (score run, min_bond, weighed by the consumer's credibility:
  // graph/paths/co_audience.py BOND_WEIGHT; an index of an older version is not) with enough consumers per pair
  OPTIONAL MATCH (prun:JobRun {job: 'paths', current: true})
  CALL (mine, prun, rid) {
    UNWIND mine AS s
    MATCH (ca:CoAudience {streamer_id: s.streamer_id, run_id: prun.run_id})
    WHERE ca.score_run_id = rid AND ca.min_bond = $min_bond AND $top < ca.keep AND ca.bond_weight = 'trust_x_credibility'
    RETURN count(ca) AS indexed
  }
  CALL (c, rid, carrier_streamers, carrier_best, mine, mine_t, prun, indexed) {
    // from the index: the partners of the consumer's streamers that carry the factory
    WITH * WHERE indexed = size(mine)
    WITH c, prun, carrier_best, mine, mine_t, [s IN carrier_streamers | s.streamer_id] AS carrier_ids
    // padded with empty ids (never a streamer's) to 128+ elements: from that size on Neo4j checks
    // `x IN list` against a hash set, not element by element (a hub shares consumers with ~3,000 streamers)
    WITH *, carrier_ids + [k IN range(1, 128) | ''] AS carrier_set
    UNWIND range(0, size(mine) - 1) AS j
    MATCH (ca:CoAudience {streamer_id: mine[j].streamer_id, run_id: prun.run_id})-[r:SHARES]-(pa:CoAudience)
    WHERE pa.streamer_id IN carrier_set
    // one SHARES per pair, read from either end: the bond to this end comes first
    WITH c, carrier_best, carrier_ids, mine[j] AS s1, mine_t[j] AS b1, pa.streamer_id AS s2_id, r.vias AS vias,
         CASE WHEN startNode(r) = ca THEN [r.via_trust, r.partner_trust] ELSE [r.partner_trust, r.via_trust] END AS sides
    UNWIND range(0, size(vias) - 1) AS i
    WITH c, carrier_best, carrier_ids, s1, b1, s2_id, vias[i] AS c2_id, sides[0][i] AS b2, sides[1][i] AS b3
    WHERE c2_id <> c.consumer_id
    WITH s1, c2_id, s2_id, [b1, b2, b3] AS bonds,
         carrier_best[[n IN range(0, size(carrier_ids) - 1) WHERE carrier_ids[n] = s2_id][0]] AS x
    WITH s1, c2_id, s2_id, x, bonds, bonds[0] * bonds[1] * bonds[2] * x.k AS trust
    ORDER BY trust DESC, s1.streamer_id, c2_id, s2_id
    LIMIT $top
    MATCH (c2:Consumer {consumer_id: c2_id})
    USING INDEX SEEK c2:Consumer(consumer_id)
    MATCH (s2:Streamer {streamer_id: s2_id})
    USING INDEX SEEK s2:Streamer(streamer_id)
    RETURN s1, c2, s2, x, bonds
    UNION ALL
    // live: join the two audiences on the shared consumer c2, expanding from the smaller side
    WITH * WHERE indexed < size(mine)
    WITH c, rid, carrier_streamers, carrier_best, mine, mine_t,
         reduce(n = 0, s IN mine | n + COUNT { (s)<-[:TRUSTS]-() }) AS left_size,
         reduce(n = 0, s IN carrier_streamers | n + COUNT { (s)<-[:TRUSTS]-() }) AS right_size
    CALL (c, rid, carrier_streamers, carrier_best, mine, mine_t, left_size, right_size) {
      WITH * WHERE right_size <= left_size
      UNWIND range(0, size(carrier_streamers) - 1) AS j
      WITH c, rid, mine, mine_t, carrier_streamers[j] AS s2, carrier_best[j] AS x
      MATCH (s2)<-[t3:TRUSTS]-(c2:Consumer)-[t2:TRUSTS]->(s1:Streamer)
      WHERE s1 IN mine AND c2 <> c AND t3.run_id = rid AND t3.trust > 0 AND t3.trust >= $min_bond
        AND t2.run_id = rid AND t2.trust > 0 AND t2.trust >= $min_bond
      RETURN s1, c2, s2, x, [mine_t[[i IN range(0, size(mine) - 1) WHERE mine[i] = s1][0]], t2.trust * coalesce(t2.consumer_credibility, 1.0), t3.trust * coalesce(t3.consumer_credibility, 1.0)] AS bonds
      UNION ALL
      WITH * WHERE right_size > left_size
      UNWIND range(0, size(mine) - 1) AS j
      WITH c, rid, carrier_streamers, carrier_best, mine[j] AS s1, mine_t[j] AS b1
      MATCH (s1)<-[t2:TRUSTS]-(c2:Consumer)-[t3:TRUSTS]->(s2:Streamer)
      WHERE s2 IN carrier_streamers AND c2 <> c AND t2.run_id = rid AND t2.trust > 0 AND t2.trust >= $min_bond
        AND t3.run_id = rid AND t3.trust > 0 AND t3.trust >= $min_bond
      RETURN s1, c2, s2, carrier_best[[i IN range(0, size(carrier_streamers) - 1) WHERE carrier_streamers[i] = s2][0]] AS x,
             [b1, t2.trust * coalesce(t2.consumer_credibility, 1.0), t3.trust * coalesce(t3.consumer_credibility, 1.0)] AS bonds
    }
    RETURN s1, c2, s2, x, bonds
  }
  WITH s1, c2, s2, x, bonds, bonds[0] * bonds[1] * bonds[2] * x.k AS trust
  WHERE s1 <> s2
  ORDER BY trust DESC, s1.streamer_id, c2.consumer_id, s2.streamer_id
  LIMIT $top
  RETURN collect({trust: trust, hops: 1, bonds: bonds, s1: s1, c2: c2, s: s2, x: x}) AS longer
}
UNWIND CASE WHEN size(direct) > 0 THEN direct ELSE longer END AS path
WITH f, c, rid, path
ORDER BY path.trust DESC, path.s1.streamer_id, path.c2.consumer_id, path.s.streamer_id
LIMIT $top
WITH f, c, rid, collect(path) AS paths
UNWIND range(0, size(paths) - 1) AS i
WITH f, c, rid, paths[i] AS path, paths[i].x.p AS product, paths[i].s AS seller, i + 1 AS rank
RETURN rank, path.trust AS path_trust, path.hops AS shared_hops, c.consumer_id AS consumer_id,
       path.s1.streamer_id AS first_streamer, path.c2.consumer_id AS via_consumer,
       path.s.streamer_id AS streamer_id, path.x.p.product_id AS product_id, path.bonds AS bond_weights,
       path.x.k AS carry_trust, path.x.orders AS carry_orders, path.x.units AS carry_units,
       path.x.returned AS carry_returned_units, [(product)-[sc:PRODUCT_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0] AS product_trust,
       path.x.p.name AS product_name, CASE WHEN path.x.p.category IS :: STRING NOT NULL AND trim(path.x.p.category) <> ''
         THEN trim(path.x.p.category) ELSE 'unknown' END AS category, [(seller)-[sc:STREAMER_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0] AS streamer_trust,
       path.s.name AS streamer_name, f.factory_id AS factory_id, [(f)-[sc:FACTORY_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0] AS factory_trust,
       f.name AS factory_name
ORDER BY rank;
