// lookup_orders — stored orders among the given ids: duplicate / conflict checks of purchases
// (returns use the slimmer lookup_order_facts).
// Parameters: $ids (list of order_id strings).
// Returns: the order's contract columns (purchased_at as epoch nanoseconds) and returned_quantity.
UNWIND $ids AS id
MATCH (o:Order {order_id: id})
RETURN o.order_id AS order_id, o.consumer_id AS consumer_id, o.streamer_id AS streamer_id,
       o.product_id AS product_id, o.quantity AS quantity, o.amount AS amount,
       o.purchased_at.epochSeconds * 1000000000 + o.purchased_at.nanosecond AS purchased_at,
       coalesce(o.returned_quantity, 0) AS returned_quantity
