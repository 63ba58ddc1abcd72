// projection/returns — every return of an order, with its raw reason code (the trust model maps
// reasons to who caused the return; the projection carries them as stored).
// Parameters: $after (STRING: returns of orders after this order_id; '' for the first chunk), $limit
// (INTEGER: orders per chunk). Chunks follow the Return(order_id, returned_at) index order and never
// split an order's returns, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [order_id, returned_at as epoch nanoseconds (exact), quantity (units,
// as resolved when loaded), reason (null when the input left it empty)]), last (the chunk's last
// order_id; null when the chunk is empty, i.e. the table is done).
MATCH (r:Return) WHERE r.order_id > $after AND r.returned_at IS NOT NULL
WITH DISTINCT r.order_id AS order_id ORDER BY order_id LIMIT $limit
WITH collect(order_id) AS chunk
CALL (chunk) {
  UNWIND chunk AS order_id
  MATCH (r:Return {order_id: order_id}) WHERE r.returned_at IS NOT NULL
  RETURN collect([r.order_id, r.returned_at.epochSeconds * 1000000000 + r.returned_at.nanosecond,
                  r.quantity, r.reason]) AS rows
}
RETURN rows, chunk[-1] AS last
