// recommended_cleanup — delete every RECOMMENDED but those of $keep (the current run) and $stock (the
// run it replaced, which the next run overwrites in place: recommended_write_columns). The write
// statement already finds the stale stock of every subject it writes (deleted by id:
// recommended_delete), so what is left after a rerun is the stock of subjects that got no rows, and
// relationships nothing else accounts for; the job runs this scan only when recommended_stale.cypher
// finds the total above the two kept runs'.
// A scan of the RECOMMENDED relationships (the relationship type lookup index), not a seek per
// stale run id: a range index on run_id bloats under the in-place overwrites (each one moves an
// entry from the old run id to the new) and no reader needs one (bench/results/recommend.md,
// "The run_id indexes"). 26-27 s in the job for the m world's 29.4M relationships (2 generations).
// Parameters: $keep (STRING or null: null keeps none), $stock (STRING or null: null keeps no stock).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH ()-[r:RECOMMENDED]->()
WHERE ($keep IS NULL OR coalesce(r.run_id, '') <> $keep) AND ($stock IS NULL OR coalesce(r.run_id, '') <> $stock)
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS;
