// demo/browser_top_streamers — printed by `livetrust demo` for Neo4j Browser.
// title: The most trusted streamers, with their followers
// Parameters: none.
// Returns: streamer, trust, confidence, followers; the 10 most trusted streamers of the current score run.
MATCH (:JobRun {job: 'score', current: true})<-[sc:STREAMER_SCORE]-(s:Streamer)
RETURN s.streamer_id AS streamer, round(sc.trust, 3) AS trust,
       round(sc.trust_confidence, 2) AS confidence, COUNT { (s)<-[:FOLLOWS]-() } AS followers
ORDER BY trust DESC LIMIT 10;
