// recommended_stock — may there be RECOMMENDED a new recommend run can overwrite in place (those of a
// recommend run other than the current one: the replaced run's, a failed run's)? Decides between
// recommended_write_columns (overwrite the stock) and recommended_create_columns (create only: the
// first two runs of a graph, where a look-up would find nothing).
// Answered from the run history and the count store, without reading a relationship: the cleanup
// keeps the replaced run's relationships, so stock is there once any RECOMMENDED exists and any
// recommend run is not current. When that run wrote nothing (--write-top 0) the answer is a false
// yes, which costs speed only: the overwrite statement then creates every relationship.
// Parameters: none.
// Returns: one row: stock BOOLEAN.
MATCH ()-[r:RECOMMENDED]->()
WITH count(r) AS relationships  // from the count store
RETURN relationships > 0 AND EXISTS {
  MATCH (run:JobRun {job: 'recommend'}) WHERE run.current IS NULL OR run.current = false
} AS stock;
