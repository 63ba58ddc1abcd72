// trusts_cleanup — delete every TRUSTS bond but those of $keep (the current run) and $stock (the run
// it replaced, whose bonds the next run overwrites in place: trusts_write_columns). What is left to
// delete after a rerun is the pairs that lost their bond, and failed runs' leftovers.
// A scan of the TRUSTS relationships (the relationship type lookup index), not a seek per stale run
// id: a range index on run_id bloats under the in-place overwrites (each one moves an entry from the
// old run id to the new) and no reader needs one (bench/results/score.md, "The run_id indexes").
// About 3 s for the m world's 3.6M bonds (2 generations).
// Parameters: $keep (STRING or null: null keeps none), $stock (STRING or null: null keeps no stock).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH ()-[t:TRUSTS]->()
WHERE ($keep IS NULL OR coalesce(t.run_id, '') <> $keep) AND ($stock IS NULL OR coalesce(t.run_id, '') <> $stock)
CALL (t) { DELETE t } IN TRANSACTIONS OF 20000 ROWS;
