// recommended_consumer_streamers — write one batch of a run's consumer -> streamers to follow (not yet current).
// Parameters: $run_id (STRING), $rows (LIST<MAP>: subject_id, object_id, props MAP of list, rank, score,
//             reason and the evidence columns).
// Returns: nothing. Readers see these once the run is current (JobRun {job: 'recommend', current: true}).
UNWIND $rows AS row
MATCH (a:Consumer {consumer_id: row.subject_id})
MATCH (b:Streamer {streamer_id: row.object_id})
CREATE (a)-[r:RECOMMENDED]->(b)
SET r = row.props, r.run_id = $run_id;
