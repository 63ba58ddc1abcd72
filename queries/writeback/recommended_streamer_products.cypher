// recommended_streamer_products — write one batch of a run's streamer -> products to carry (not yet current).
// Parameters: $run_id (STRING), $rows (LIST<MAP>: subject_id, object_id, props MAP of list, rank, score,
//             reason and the evidence columns).
// Returns: nothing. Readers see these once the run is current (JobRun {job: 'recommend', current: true}).
UNWIND $rows AS row
MATCH (a:Streamer {streamer_id: row.subject_id})
MATCH (b:Product {product_id: row.object_id})
CREATE (a)-[r:RECOMMENDED]->(b)
SET r = row.props, r.run_id = $run_id;
