// node_element_ids — the element ids of every Consumer, Streamer, Product and Factory, so that the
// write-backs of bonds (trusts_*_columns) and recommendations (recommended_*_columns) find both ends
// of a relationship by id (NodeByElementIdSeek) instead of two index seeks per row. Read right
// before the relationships are written.
// Parameters: none.
// Returns: one row per label: label STRING ('Consumer' | 'Streamer' | 'Product' | 'Factory'), ids
//          LIST<STRING> (consumer_id / streamer_id / product_id / factory_id), element_ids LIST<STRING>
//          (same order).
CALL () {
  MATCH (c:Consumer)
  RETURN 'Consumer' AS label, collect(c.consumer_id) AS ids, collect(elementId(c)) AS element_ids
  UNION ALL
  MATCH (s:Streamer)
  RETURN 'Streamer' AS label, collect(s.streamer_id) AS ids, collect(elementId(s)) AS element_ids
  UNION ALL
  MATCH (p:Product)
  RETURN 'Product' AS label, collect(p.product_id) AS ids, collect(elementId(p)) AS element_ids
  UNION ALL
  MATCH (f:Factory)
  RETURN 'Factory' AS label, collect(f.factory_id) AS ids, collect(elementId(f)) AS element_ids
}
RETURN label, ids, element_ids;
