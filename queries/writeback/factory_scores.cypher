// factory_scores — write one batch of the trust scores of a run on Factory nodes, as
// (:Factory)-[:FACTORY_SCORE {trust, trust_confidence, trust_low, trust_high, components...}]->(:JobRun) to the
// run's JobRun. Written before the run is made current; readers take the FACTORY_SCORE of the current run
// (or of the run they name), so a run's scores switch with it and the switch transaction stays small.
// Parameters: $run_id (STRING), $rows (LIST<MAP>: id STRING, props MAP of trust, trust_confidence, components).
// Returns: nothing.
MATCH (run:JobRun {run_id: $run_id})
UNWIND $rows AS row
MATCH (n:Factory {factory_id: row.id})
CREATE (n)-[sc:FACTORY_SCORE]->(run)
SET sc = row.props;
