// create_returns — Return nodes whose key the loader knows is new (no Return when the run started,
// not written by this run), attached to their order with CREATE. The loader knows every return of
// such an order (all are this run's), so it sends the order's totals and SETs them here, the same
// values write_returned_quantity would recompute (rows of one order carry the same totals).
// The batch comes as one list per column (no map per row).
// Parameters: $columns (map of lists, all of one length: order_id, returned_at: ISO-8601 UTC string,
// quantity: int (already resolved when the input left it empty), reason, order_returned: int (all
// units returned of the order), order_first: ISO-8601 UTC string (its first return)).
UNWIND range(0, size($columns.order_id) - 1) AS i
MATCH (o:Order {order_id: $columns.order_id[i]})
CREATE (r:Return {order_id: $columns.order_id[i], returned_at: datetime($columns.returned_at[i]),
                  quantity: $columns.quantity[i], reason: $columns.reason[i]})-[:RETURNS]->(o)
SET o.returned_quantity = $columns.order_returned[i], o.first_returned_at = datetime($columns.order_first[i])
