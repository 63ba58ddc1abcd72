// bridges — streamers whose removal would cut the most trusted flow of a factory (concentration
// risk; the `bridges` output of `livetrust paths`).
// Trusted flow F(f) = sum over reached consumers of their best path trust (see factory_reach; bonds
// weigh TRUSTS.trust times the consumer's credibility).
// Parameters:
//   $factory_id     STRING  required
//   $carry_prior    FLOAT   default 5.0
//   $missing_trust  FLOAT   default 0.5
//   $min_bond       FLOAT   default 0.0
//   $score_run_id   STRING  default null  (null: the current `score` run's TRUSTS)
// Returns: factory_id STRING, streamer_id STRING, flow_share FLOAT (share of F(f) whose best path
//   runs through the streamer), flow_lost_if_removed FLOAT (share of F(f) lost when it is removed,
//   consumers falling back to their next best streamer), consumers_via INTEGER,
//   consumers_stranded INTEGER (no other path), rank INTEGER (1 = largest loss); ordered by rank.
MATCH (f:Factory {factory_id: $factory_id})
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
WITH f, coalesce($score_run_id, run.run_id) AS rid
CALL (f, rid) {
  MATCH (f)<-[:MADE_BY]-(p:Product)<-[:OF_PRODUCT]-(o:Order)-[:SOLD_BY]->(s:Streamer)
  WITH s, p, sum(o.quantity) AS units, sum(coalesce(o.returned_quantity, 0)) AS returned
  WITH s, max((toFloat(units - returned) + $carry_prior * coalesce([(p)-[sc:PRODUCT_SCORE]->(r:JobRun) WHERE r.run_id = rid | sc.trust][0], $missing_trust))
              / (units + $carry_prior)) AS k
  WHERE k > 0
  RETURN s, k
}
MATCH (s)<-[t:TRUSTS]-(c:Consumer)
WHERE t.run_id = rid AND t.trust > 0 AND t.trust >= $min_bond
WITH f, c, s.streamer_id AS sid, t.trust * coalesce(t.consumer_credibility, 1.0) * k AS v
ORDER BY v DESC, sid
WITH f, c, collect({sid: sid, v: v}) AS options
WITH f, options[0].sid AS via, options[0].v AS best,
     CASE WHEN size(options) > 1 THEN options[1].v ELSE 0.0 END AS second
WITH f, collect({via: via, best: best, second: second}) AS rows, sum(best) AS total
UNWIND rows AS r
WITH f, total, r.via AS streamer_id, sum(r.best) AS flow, sum(r.best - r.second) AS lost,
     count(*) AS consumers_via, sum(CASE WHEN r.second <= 0 THEN 1 ELSE 0 END) AS consumers_stranded
WITH f, {streamer_id: streamer_id, flow_share: flow / total, flow_lost_if_removed: lost / total,
         consumers_via: consumers_via, consumers_stranded: consumers_stranded} AS b
ORDER BY b.flow_lost_if_removed DESC, b.flow_share DESC, b.streamer_id
WITH f, collect(b) AS ranked
// no ORDER BY after the UNWIND: rows keep the list order (a sort there would hold the list per row)
UNWIND range(0, size(ranked) - 1) AS i
RETURN f.factory_id AS factory_id, ranked[i].streamer_id AS streamer_id, ranked[i].flow_share AS flow_share,
       ranked[i].flow_lost_if_removed AS flow_lost_if_removed, ranked[i].consumers_via AS consumers_via,
       ranked[i].consumers_stranded AS consumers_stranded, i + 1 AS rank;
