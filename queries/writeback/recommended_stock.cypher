// recommended_stock — are there RECOMMENDED a new recommend run can overwrite in place (those of any
// recommend run but the current one: the replaced run's, a failed run's)? Decides between
// recommended_write_columns (overwrite the stock) and recommended_create_columns (create only).
// Found per run id through the recommended_run index.
// Parameters: none.
// Returns: one row: stock BOOLEAN.
OPTIONAL MATCH (run:JobRun {job: 'recommend'})
WHERE run.current IS NULL OR run.current = false
WITH collect(run.run_id) AS ids
RETURN any(id IN ids WHERE EXISTS { ()-[:RECOMMENDED {run_id: id}]->() }) AS stock;
