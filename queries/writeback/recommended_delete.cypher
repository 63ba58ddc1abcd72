// recommended_delete — delete stale stock RECOMMENDED by element id, once the run that found them
// (recommended_write_columns returns them) is current: they belong to neither the current run nor
// the run it replaced. One session, batches of publish_run's size.
// Parameters: $ids (LIST of STRING: relationship element ids).
// Returns: nothing.
UNWIND $ids AS id
MATCH ()-[r:RECOMMENDED]->() WHERE elementId(r) = id
DELETE r;
