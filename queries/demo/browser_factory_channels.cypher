// demo/browser_factory_channels — printed by `livetrust demo` for Neo4j Browser.
// title: Factory $factory's best channels, as a picture
// Parameters: $factory STRING, a factory_id.
// Returns: f, c, s: the factory, its 10 best CHANNEL relationships of the current paths run and their streamers.
MATCH (f:Factory {factory_id: $factory})-[c:CHANNEL]->(s:Streamer)
RETURN f, c, s ORDER BY c.rank LIMIT 10;
