// demo/browser_top_streamers — printed by `livetrust demo` for Neo4j Browser.
// title: The most trusted streamers, with their followers
// Parameters: none.
// Returns: streamer, trust, confidence, followers (current: open follows, as the demo's summary and
// report count them); the 10 most trusted streamers of the current score run, ties by streamer id.
MATCH (:JobRun {job: 'score', current: true})<-[sc:STREAMER_SCORE]-(s:Streamer)
RETURN s.streamer_id AS streamer, round(sc.trust, 3) AS trust,
       round(sc.trust_confidence, 2) AS confidence,
       COUNT { (s)<-[f:FOLLOWS]-() WHERE f.unfollowed_at IS NULL } AS followers
ORDER BY sc.trust DESC, streamer LIMIT 10;
