// top_channels — a factory's top channels as written back by the current `livetrust paths` run.
// Parameters:
//   $factory_id    STRING  required
//   $paths_run_id  STRING  default null (null: the current `paths` run)
// Returns: factory_id STRING, streamer_id STRING, streamer_name STRING, rank INTEGER,
//   flow_score FLOAT, orders INTEGER, gmv FLOAT, return_rate FLOAT, run_id STRING; ordered by rank.
MATCH (f:Factory {factory_id: $factory_id})
OPTIONAL MATCH (run:JobRun {job: 'paths', current: true})
WITH f, coalesce($paths_run_id, run.run_id) AS rid
MATCH (f)-[r:CHANNEL]->(s:Streamer)
WHERE r.run_id = rid
RETURN f.factory_id AS factory_id, s.streamer_id AS streamer_id, s.name AS streamer_name, r.rank AS rank,
       r.flow_score AS flow_score, r.orders AS orders, r.gmv AS gmv, r.return_rate AS return_rate,
       r.run_id AS run_id
ORDER BY rank;
