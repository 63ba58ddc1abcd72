// projection/orders — every order line with the units returned so far and the first return time.
// Parameters: none.
// Returns: order_id, consumer_id, streamer_id, product_id, quantity, amount, purchased_at (epoch ns),
// returned_quantity (0 if none), first_returned_at (epoch ns, null if none).
MATCH (o:Order)
RETURN o.order_id AS order_id, o.consumer_id AS consumer_id, o.streamer_id AS streamer_id,
       o.product_id AS product_id, o.quantity AS quantity, o.amount AS amount,
       o.purchased_at.epochSeconds * 1000000000 + o.purchased_at.nanosecond AS purchased_at,
       coalesce(o.returned_quantity, 0) AS returned_quantity,
       o.first_returned_at.epochSeconds * 1000000000 + o.first_returned_at.nanosecond AS first_returned_at
