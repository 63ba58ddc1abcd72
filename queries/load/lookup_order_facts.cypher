// lookup_order_facts — the facts returns are checked against, for the stored orders among the given
// ids: quantity, purchase time and units returned so far (lookup_orders has every column, for the
// purchases' duplicate checks; returns need only these three).
// The order's element id lets create_returns attach a new Return without a second index seek.
// Parameters: $ids (list of order_id strings).
// Returns: order_id, quantity, purchased_at (epoch nanoseconds), returned_quantity (0 if none),
//          order_node (element id of the Order).
UNWIND $ids AS id
MATCH (o:Order {order_id: id})
RETURN o.order_id AS order_id, o.quantity AS quantity,
       o.purchased_at.epochSeconds * 1000000000 + o.purchased_at.nanosecond AS purchased_at,
       coalesce(o.returned_quantity, 0) AS returned_quantity, elementId(o) AS order_node
