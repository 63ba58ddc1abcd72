// name: consumer_recommendations
// answers: A consumer's current recommendations (the current recommend run): products to buy or streamers to follow, with the reason.
// param: consumer_id STRING  the consumer
// param: list STRING in {consumer_products, consumer_streamers} = consumer_products  which list
// param: limit INTEGER >= 0 = 10  how many rows
// returns: rank, object_id, score, reason
// index: Consumer(consumer_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'recommend', current: true})
MATCH (c:Consumer {consumer_id: $consumer_id})-[r:RECOMMENDED]->(x)
USING INDEX SEEK c:Consumer(consumer_id)
WHERE r.run_id = run.run_id AND r.list = $list
RETURN r.rank AS rank, coalesce(x.product_id, x.streamer_id) AS object_id, r.score AS score, r.reason AS reason
ORDER BY rank
LIMIT $limit;
