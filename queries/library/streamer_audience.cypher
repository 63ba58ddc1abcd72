// name: streamer_audience
// answers: A streamer's most bonded consumers (current score run), with the audience's repeat-buyer share and return rate alongside.
// param: streamer_id STRING  the streamer
// param: limit INTEGER = 20  how many consumers
// returns: consumer_id, region, trust, confidence, orders, units, returned_units, repeat_buyer, following, audience_repeat_buyer_share, audience_return_rate
// index: Streamer(streamer_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Streamer {streamer_id: $streamer_id})
MATCH (c:Consumer)-[t:TRUSTS]->(s)
WHERE t.run_id = run.run_id
RETURN c.consumer_id AS consumer_id, c.region AS region, t.trust AS trust, t.confidence AS confidence,
       t.orders AS orders, t.units AS units, t.returned_units AS returned_units, t.repeat_buyer AS repeat_buyer,
       t.following AS following, s.repeat_buyer_share AS audience_repeat_buyer_share,
       s.return_rate AS audience_return_rate
ORDER BY trust DESC, consumer_id
LIMIT $limit;
