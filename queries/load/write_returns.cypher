// write_returns — Return nodes attached to their order; write_returned_quantity then recomputes
// the touched orders' returned_quantity.
// Parameters: $rows (list of {order_id, returned_at: ISO-8601 UTC string, quantity: int (already
// resolved when the input left it empty), reason}).
UNWIND $rows AS row
MATCH (o:Order {order_id: row.order_id})
MERGE (r:Return {order_id: row.order_id, returned_at: datetime(row.returned_at)})
SET r.quantity = row.quantity, r.reason = row.reason
MERGE (r)-[:RETURNS]->(o)
