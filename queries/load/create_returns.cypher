// create_returns — Return nodes whose key the loader knows is new (no Return when the run started,
// not written by this run), attached to their order with CREATE. The loader knows every return of
// such an order (all are this run's), so it sends the order's total units returned and SETs it here,
// the value write_returned_quantity would recompute (rows of one order carry the same total).
// The order's first return time is not stored on the order: readers take min(returned_at) of its
// Returns (graph/projection.py); a property the Order lacks costs a new property record per order.
// The order is found by the element id its look-up returned (lookup_order_facts; NodeByElementIdSeek,
// no second seek of the Order key index). The batch comes as one list per column (no map per row).
// Parameters: $columns (map of lists, all of one length: order_id, returned_at: ISO-8601 UTC string,
// quantity: int (already resolved when the input left it empty), reason, order_returned: int (all
// units returned of the order), order_node: element id of the order).
UNWIND range(0, size($columns.order_id) - 1) AS i
MATCH (o:Order) WHERE elementId(o) = $columns.order_node[i]
CREATE (r:Return {order_id: $columns.order_id[i], returned_at: datetime($columns.returned_at[i]),
                  quantity: $columns.quantity[i], reason: $columns.reason[i]})-[:RETURNS]->(o)
SET o.returned_quantity = $columns.order_returned[i]
