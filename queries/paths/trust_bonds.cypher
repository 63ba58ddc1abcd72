// trust_bonds — the consumer -> streamer bonds (TRUSTS) of a `score` run, read in chunks of consumers,
// as the path analysis and the recommend job read them from Neo4j.
// Parameters:
//   $score_run_id  STRING   the score run (livetrust passes the current one: current_run.cypher)
//   $after         STRING   consumers after this consumer_id ('' for the first chunk)
//   $limit         INTEGER  consumers per chunk
// Chunks follow the Consumer(consumer_id) index order and each holds all the bonds of its consumers:
// one record per chunk holding a list of row lists, far fewer Python objects than a record per bond
// (with the projection read alongside, the recommend job's read on the m world went from 143.6 s to
// 33-36 s: bench/results/recommend.md). The run filter goes through coalesce so that the planner
// expands from each consumer instead of seeking a run_id index (older versions made trusts_run;
// the other generation of bonds is skipped there).
// Returns: one row: rows (LIST of [consumer_id, streamer_id, trust, confidence, consumer_credibility],
//          confidence and consumer_credibility null where not stored), last (the chunk's last
//          consumer_id; null when the chunk is empty, i.e. all bonds are read).
MATCH (c:Consumer) WHERE c.consumer_id > $after
WITH c ORDER BY c.consumer_id LIMIT $limit
WITH collect(c) AS chunk
CALL (chunk) {
  UNWIND chunk AS c
  MATCH (c)-[t:TRUSTS]->(s:Streamer)
  WHERE coalesce(t.run_id, '') = $score_run_id
  RETURN collect([c.consumer_id, s.streamer_id, t.trust, t.confidence, t.consumer_credibility]) AS rows
}
RETURN rows, chunk[-1].consumer_id AS last
