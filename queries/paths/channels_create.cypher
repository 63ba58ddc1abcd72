// channels_create — write one batch of a `paths` run's top channels as
// (:Factory)-[:CHANNEL {rank, flow_score, orders, gmv, return_rate, run_id}]->(:Streamer).
// Relationships of the new run stay beside the previous run's until the run is published and
// `channels_cleanup` removes the others; readers filter on the current `paths` run id.
// Parameters:
//   $run_id  STRING     the paths run id
//   $rows    LIST<MAP>  {factory_id STRING, streamer_id STRING, props MAP: rank INTEGER,
//                       flow_score FLOAT, orders INTEGER, gmv FLOAT, return_rate FLOAT, ...}
// Returns: nothing.
UNWIND $rows AS row
MATCH (f:Factory {factory_id: row.factory_id})
MATCH (s:Streamer {streamer_id: row.streamer_id})
MERGE (f)-[r:CHANNEL {run_id: $run_id}]->(s)
SET r += row.props;
