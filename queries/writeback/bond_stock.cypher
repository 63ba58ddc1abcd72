// bond_stock — may there be TRUSTS a new score run can overwrite in place (bonds of a score run other
// than the current one: the replaced run's, a failed run's)? Decides between trusts_write_columns
// (overwrite the stock) and trusts_create_columns (create only: the first two runs of a graph,
// where a look-up would find nothing).
// Answered from the run history and the count store, without reading a relationship: the cleanup
// keeps the replaced run's bonds, so stock is there once any TRUSTS exists and any score run is not
// current. A false yes costs speed only: the overwrite statement then creates the bonds it needs.
// Parameters: none.
// Returns: one row: stock BOOLEAN.
MATCH ()-[t:TRUSTS]->()
WITH count(t) AS bonds  // from the count store
RETURN bonds > 0 AND EXISTS {
  MATCH (run:JobRun {job: 'score'}) WHERE run.current IS NULL OR run.current = false
} AS stock;
