// create_returns — Return nodes whose key the loader knows is new (no Return when the run started,
// not written by this run), attached to their order with CREATE. The loader knows every return of
// such an order (all are this run's), so it sends the order's totals and SETs them here, the same
// values write_returned_quantity would recompute (rows of one order carry the same totals).
// Parameters: $rows (list of {order_id, returned_at: ISO-8601 UTC string, quantity: int (already
// resolved when the input left it empty), reason, order_returned: int (all units returned of the
// order), order_first: ISO-8601 UTC string (its first return)}).
UNWIND $rows AS row
MATCH (o:Order {order_id: row.order_id})
CREATE (r:Return {order_id: row.order_id, returned_at: datetime(row.returned_at), quantity: row.quantity,
                  reason: row.reason})-[:RETURNS]->(o)
SET o.returned_quantity = row.order_returned, o.first_returned_at = datetime(row.order_first)
