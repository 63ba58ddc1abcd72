// name: top_streamers
// answers: The most trusted streamers of the current score run, optionally of one category or region, with the evidence behind each score.
// param: category STRING = null  only streamers of this category
// param: region STRING = null  only streamers of this region
// param: limit INTEGER >= 0 = 20  how many rows
// returns: streamer_id, name, category, region, trust, confidence, trust_low, trust_high, followers, orders, return_rate, integrity, run_id
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Streamer)-[sc:STREAMER_SCORE]->(run)
WHERE ($category IS NULL OR s.category = $category)
  AND ($region IS NULL OR s.region = $region)
RETURN s.streamer_id AS streamer_id, s.name AS name, s.category AS category, s.region AS region,
       sc.trust AS trust, sc.trust_confidence AS confidence, sc.trust_low AS trust_low, sc.trust_high AS trust_high,
       sc.followers AS followers, sc.orders AS orders, sc.return_rate AS return_rate, sc.integrity AS integrity,
       run.run_id AS run_id
ORDER BY trust DESC, streamer_id
LIMIT $limit;
