// name: consumer_trusted_circle
// answers: The streamers a consumer trusts most (current score run) and why: follow and tenure, orders kept and returned, repeat buying.
// param: consumer_id STRING  the consumer
// param: limit INTEGER >= 0 = 10  how many streamers
// returns: streamer_id, name, trust, confidence, following, followed_days, orders, units, returned_units, repeat_buyer, streamer_trust
// index: Consumer(consumer_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'score', current: true})
MATCH (c:Consumer {consumer_id: $consumer_id})-[t:TRUSTS]->(s:Streamer)
USING INDEX SEEK c:Consumer(consumer_id)
WHERE t.run_id = run.run_id
OPTIONAL MATCH (s)-[sc:STREAMER_SCORE]->(run)
RETURN s.streamer_id AS streamer_id, s.name AS name, t.trust AS trust, t.confidence AS confidence,
       t.following AS following, t.followed_days AS followed_days, t.orders AS orders, t.units AS units,
       t.returned_units AS returned_units, t.repeat_buyer AS repeat_buyer, sc.trust AS streamer_trust
ORDER BY trust DESC, streamer_id
LIMIT $limit;
