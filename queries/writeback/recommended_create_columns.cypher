// recommended_create_columns — write one batch of one list of a `recommend` run as new RECOMMENDED,
// when no stock is there to overwrite (recommended_stock.cypher: the first two runs of a graph).
// Same batch and properties as recommended_write_columns, without its stock look-up.
// Parameters: $run_id (STRING), $list (STRING), $columns (as recommended_write_columns).
// Returns: written (INTEGER: relationships created; a row whose subject or object is gone writes none).
UNWIND range(0, size($columns.subject_node) - 1) AS i
MATCH (a) WHERE elementId(a) = $columns.subject_node[i]
MATCH (b) WHERE elementId(b) = $columns.object_node[i]
CREATE (a)-[:RECOMMENDED {
  list: $list, run_id: $run_id, rank: $columns.rank[i], score: $columns.score[i],
  reason: $columns.reason[i], demotion: $columns.demotion[i]
}]->(b)
RETURN count(*) AS written;
