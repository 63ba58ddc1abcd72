// scores_cleanup — delete the node score relationships (STREAMER_SCORE, PRODUCT_SCORE, FACTORY_SCORE) of
// every `score` run but $keep (the current run). Found from each run's JobRun node, so the current run's
// scores are not scanned.
// Parameters: $keep (STRING or null: null deletes the scores of every recorded score run).
// Ignored: $stock (every cleanup is sent it; scores keep no stock, a run writes its own).
// Returns: nothing. Needs an auto-commit transaction (CALL IN TRANSACTIONS).
MATCH (run:JobRun {job: 'score'})
WHERE $keep IS NULL OR run.run_id <> $keep
MATCH (run)<-[sc:STREAMER_SCORE|PRODUCT_SCORE|FACTORY_SCORE]-()
CALL (sc) { DELETE sc } IN TRANSACTIONS OF 20000 ROWS;
