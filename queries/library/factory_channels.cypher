// name: factory_channels
// answers: A factory's best channels from the current paths run: the streamers carrying its goods, ranked by trust-weighted flow, with orders, GMV and return rate.
// param: factory_id STRING  the factory
// param: limit INTEGER >= 0 = 10  how many channels (the paths run stores its --top-channels, default 10)
// returns: streamer_id, name, rank, flow_score, orders, gmv, return_rate, streamer_trust (of the current score run)
// index: Factory(factory_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'paths', current: true})
MATCH (f:Factory {factory_id: $factory_id})-[ch:CHANNEL]->(s:Streamer)
USING INDEX SEEK f:Factory(factory_id)
WHERE ch.run_id = run.run_id
OPTIONAL MATCH (s)-[sc:STREAMER_SCORE]->(:JobRun {job: 'score', current: true})
RETURN s.streamer_id AS streamer_id, s.name AS name, ch.rank AS rank, ch.flow_score AS flow_score,
       ch.orders AS orders, ch.gmv AS gmv, ch.return_rate AS return_rate, sc.trust AS streamer_trust
ORDER BY rank, streamer_id
LIMIT $limit;
