// bond_node_ids — the element ids of every Consumer and Streamer, so that the bond write-back
// (trusts_create_columns) finds both ends of a bond by id (NodeByElementIdSeek) instead of two
// index seeks per bond. Read right before the bonds are written.
// Parameters: none.
// Returns: one row per label: label STRING ('Consumer' | 'Streamer'), ids LIST<STRING> (consumer_id /
//          streamer_id), element_ids LIST<STRING> (same order).
CALL () {
  MATCH (c:Consumer)
  RETURN 'Consumer' AS label, collect(c.consumer_id) AS ids, collect(elementId(c)) AS element_ids
  UNION ALL
  MATCH (s:Streamer)
  RETURN 'Streamer' AS label, collect(s.streamer_id) AS ids, collect(elementId(s)) AS element_ids
}
RETURN label, ids, element_ids;
