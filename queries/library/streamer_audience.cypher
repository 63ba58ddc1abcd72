// name: streamer_audience
// answers: A streamer's most bonded consumers (current score run), with the audience's repeat-buyer share and return rate alongside.
// param: streamer_id STRING  the streamer
// param: limit INTEGER >= 0 = 20  how many consumers
// returns: consumer_id, region, trust, confidence, orders, units, returned_units, repeat_buyer, following, audience_repeat_buyer_share, audience_return_rate
// index: Streamer(streamer_id) and Consumer(consumer_id) unique constraints; JobRun(job, current)
// how: the score run writes each streamer's top consumer ids (`audience_top`, best first) with
//   the run; when they cover `limit` the query reads only those bonds (a hub's 30k bonds are not
//   expanded), else it ranks all of the streamer's bonds of the current run.
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Streamer {streamer_id: $streamer_id})
USING INDEX SEEK s:Streamer(streamer_id)
WITH run, s,
     coalesce(s.digest_run_id = run.run_id
              AND ($limit <= size(s.audience_top) OR s.audience_bonds <= size(s.audience_top)), false) AS digested
CALL (run, s, digested) {
  WITH run, s WHERE digested
  UNWIND s.audience_top[0..$limit] AS id
  MATCH (c:Consumer {consumer_id: id})-[t:TRUSTS]->(s)
  USING INDEX SEEK c:Consumer(consumer_id)
  WHERE t.run_id = run.run_id
  RETURN c, t
  UNION ALL
  WITH run, s WHERE NOT digested
  MATCH (c:Consumer)-[t:TRUSTS]->(s)
  WHERE t.run_id = run.run_id
  RETURN c, t
}
OPTIONAL MATCH (s)-[sc:STREAMER_SCORE]->(run)
RETURN c.consumer_id AS consumer_id, c.region AS region, t.trust AS trust, t.confidence AS confidence,
       t.orders AS orders, t.units AS units, t.returned_units AS returned_units, t.repeat_buyer AS repeat_buyer,
       t.following AS following, sc.repeat_buyer_share AS audience_repeat_buyer_share,
       sc.return_rate AS audience_return_rate
ORDER BY trust DESC, consumer_id
LIMIT $limit;
