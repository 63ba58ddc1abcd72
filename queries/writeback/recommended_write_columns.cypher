// recommended_write_columns — write one batch of one list of a `recommend` run (not yet current).
// Like the score job's bonds (trusts_write_columns), recommendations are kept in two generations:
// the current run's, which readers see (they filter on run_id), and the replaced run's, kept as
// stock. A row overwrites its pair's stock RECOMMENDED of the same list in place (SET, no new
// relationship) and only pairs without one get a new RECOMMENDED: a rerun that recommends mostly
// the same pairs creates and deletes little. The current run's relationships are never touched,
// so readers never see a half-written run. Used when there is stock (recommended_stock.cypher);
// otherwise recommended_create_columns.
// The stock is looked up once per subject of the batch (its RECOMMENDED of the list that are neither
// the current run's nor this one's) and each row takes its object's: a per-row
// MATCH (a)-[stock:RECOMMENDED]->(b) re-read all of the subject's RECOMMENDED (a consumer of the m world
// has about 80: 2 lists, 2 generations) for each of its rows; medians 40.6k against 53.0k rows/s for
// the statement alone (bench/recommended_overwrite_ab.py; bench/results/recommend.md).
// The stock's list is told by its object's label, not by reading `list`: a list's subject and object
// labels fix it (Consumer -> Product is consumer_products ...), and a label is in the node record while
// a property is a walk along the relationship's property chain; only the list's own stock then has its
// run_id read. Rows are paired with their stock by node (an id comparison), not by element id string.
// Together: 7% less server CPU per overwritten row (bench/results/recommend.md, "Where the server's
// CPU goes").
// The batch comes as one list per column (no map per row); both ends are found by element id
// (node_element_ids.cypher; NodeByElementIdSeek), whatever their labels: the list's subject and
// object labels (Consumer -> Product, ...) are fixed by the ids the job sends. A recommendation
// keeps what the queries read; its evidence columns are in the list's file (--out).
// Parameters: $run_id (STRING), $list (STRING: consumer_products, consumer_streamers, factory_streamers,
//             streamer_products or streamer_factories), $object_label (STRING: the list's object label,
//             Product, Streamer or Factory), $columns (MAP of LIST, all of one length:
//             subject_node, object_node (element ids), rank, score, reason, demotion).
// What a subject's stock keeps after its rows is stale, unless the subject's rows go on in another
// batch (it is 20,000 rows long): that batch may still take it, and the delete keeps what it took.
// Returns: written (INTEGER: relationships of this run the batch wrote, overwritten or created),
//          overwritten (INTEGER: of those, stock overwritten in place; the rest were created),
//          stale (LIST of LIST of STRING: per subject, element ids of its stock no row took).
OPTIONAL MATCH (current:JobRun {job: 'recommend', current: true})
WITH coalesce(current.run_id, '') AS current_run_id
UNWIND range(0, size($columns.subject_node) - 1) AS i
WITH current_run_id, $columns.subject_node[i] AS subject, collect(i) AS rows
MATCH (a) WHERE elementId(a) = subject
CALL (a, current_run_id) {
  OPTIONAL MATCH (a)-[stock:RECOMMENDED]->(b)
  // coalesce: a predicate no run_id index (older versions made recommended_run) could answer
  WHERE $object_label IN labels(b) AND NOT coalesce(stock.run_id, '') IN [current_run_id, $run_id]
  RETURN collect(b) AS stock_objects, collect(stock) AS stocks
}
CALL (a, rows, stock_objects, stocks) {
  UNWIND rows AS i
  MATCH (b) WHERE elementId(b) = $columns.object_node[i]
  WITH a, b, i, [j IN range(0, size(stock_objects) - 1) WHERE stock_objects[j] = b | stocks[j]][0] AS stock
  // SET on a null relationship does nothing: pairs without stock go on to CREATE
  SET stock.run_id = $run_id, stock.rank = $columns.rank[i], stock.score = $columns.score[i],
      stock.reason = $columns.reason[i], stock.demotion = $columns.demotion[i]
  WITH a, b, i, stock
  CALL (a, b, i, stock) {
    WITH a, b, i WHERE stock IS NULL
    CREATE (a)-[:RECOMMENDED {
      list: $list, run_id: $run_id, rank: $columns.rank[i], score: $columns.score[i],
      reason: $columns.reason[i], demotion: $columns.demotion[i]
    }]->(b)
  }
  RETURN count(*) AS subject_written, count(stock) AS subject_overwritten
}
// what of the subject's stock no row took is stale (pairs this run does not recommend, a second
// stock relationship of one pair): returned, and deleted by id once the run is current
// (recommended_delete.cypher), so that the cleanup's scan is needed only for subjects this run
// wrote no rows for (recommended_stale.cypher). Deleting them here, from two sessions at once,
// deadlocked on popular products' relationship chains.
RETURN sum(subject_written) AS written, sum(subject_overwritten) AS overwritten, collect([stock IN stocks WHERE stock.run_id <> $run_id | elementId(stock)]) AS stale;
