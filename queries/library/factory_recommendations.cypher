// name: factory_recommendations
// answers: The streamers a factory should partner with (the current recommend run), with the reason.
// param: factory_id STRING  the factory
// param: limit INTEGER >= 0 = 10  how many rows
// returns: rank, streamer_id, score, reason
// index: Factory(factory_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'recommend', current: true})
MATCH (f:Factory {factory_id: $factory_id})-[r:RECOMMENDED]->(s:Streamer)
USING INDEX SEEK f:Factory(factory_id)
WHERE r.run_id = run.run_id
RETURN r.rank AS rank, s.streamer_id AS streamer_id, r.score AS score, r.reason AS reason
ORDER BY rank
LIMIT $limit;
