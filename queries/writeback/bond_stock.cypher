// bond_stock — are there TRUSTS a new score run can overwrite in place (bonds of any score run but the
// current one: the replaced run's, a failed run's)? Decides between trusts_write_columns (overwrite the
// stock) and trusts_create_columns (create only). Found per run id through the trusts_run index.
// Parameters: none.
// Returns: one row: stock BOOLEAN.
OPTIONAL MATCH (run:JobRun {job: 'score'})
WHERE run.current IS NULL OR run.current = false
WITH collect(run.run_id) AS ids
RETURN any(id IN ids WHERE EXISTS { ()-[:TRUSTS {run_id: id}]->() }) AS stock;
