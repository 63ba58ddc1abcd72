// demo/browser_consumer_products — printed by `livetrust demo` for Neo4j Browser.
// title: Why consumer $consumer gets their top products: trusted streamers that carry them
// Parameters: $consumer STRING, a consumer_id.
// Returns: c, r, p, path: the consumer's top 5 recommended products and the trusted streamers carrying each.
// Recommendations and bonds of the current runs only (RECOMMENDED and TRUSTS also keep the replaced
// run's: docs/recommendations.md, docs/scores.md).
MATCH (rec:JobRun {job: 'recommend', current: true})
OPTIONAL MATCH (run:JobRun {job: 'score', current: true})
MATCH (c:Consumer {consumer_id: $consumer})-[r:RECOMMENDED {list: 'consumer_products'}]->(p:Product)
WHERE r.run_id = rec.run_id AND r.rank <= 5
OPTIONAL MATCH path = (c)-[t:TRUSTS]->(:Streamer)-[:CARRIES]->(p)
WHERE t.run_id = run.run_id
RETURN c, r, p, path;
