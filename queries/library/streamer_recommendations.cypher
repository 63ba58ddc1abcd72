// name: streamer_recommendations
// answers: What a streamer should carry next (the current recommend run): products or factories, with the reason.
// param: streamer_id STRING  the streamer
// param: list STRING in {streamer_products, streamer_factories} = streamer_products  which list
// param: limit INTEGER >= 0 = 10  how many rows
// returns: rank, object_id, score, reason
// index: Streamer(streamer_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'recommend', current: true})
MATCH (s:Streamer {streamer_id: $streamer_id})-[r:RECOMMENDED]->(x)
USING INDEX SEEK s:Streamer(streamer_id)
WHERE r.run_id = run.run_id AND r.list = $list
RETURN r.rank AS rank, coalesce(x.product_id, x.factory_id) AS object_id, r.score AS score, r.reason AS reason
ORDER BY rank
LIMIT $limit;
