// demo/browser_consumer_products — printed by `livetrust demo` for Neo4j Browser.
// title: Why consumer $consumer gets their top products: trusted streamers that carry them
// Parameters: $consumer STRING, a consumer_id.
// Returns: c, r, p, path: the consumer's top 5 recommended products and the trusted streamers carrying each.
MATCH (c:Consumer {consumer_id: $consumer})-[r:RECOMMENDED {list: 'consumer_products'}]->(p:Product)
WHERE r.rank <= 5
OPTIONAL MATCH path = (c)-[:TRUSTS]->(:Streamer)-[:CARRIES]->(p)
RETURN c, r, p, path;
