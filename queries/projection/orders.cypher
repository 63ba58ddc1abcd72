// projection/orders — every order line with the units returned so far (the first return time is not
// kept on the order: graph/projection.py takes min(returned_at) of the order's returns).
// Parameters: $after (STRING: read keys after this one; '' for the first chunk), $limit (INTEGER:
// orders per chunk). Chunks follow the Order(order_id) index order, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [order_id, consumer_id, streamer_id, product_id, quantity, amount,
// purchased_at, returned_quantity]: times as epoch nanoseconds; returned_quantity 0 if none),
// last (the chunk's last order_id; null when the chunk is empty, i.e. the table is done).
MATCH (o:Order) WHERE o.order_id > $after
WITH o ORDER BY o.order_id LIMIT $limit
RETURN collect([o.order_id, o.consumer_id, o.streamer_id, o.product_id, o.quantity, o.amount,
                o.purchased_at.epochSeconds * 1000000000 + o.purchased_at.nanosecond,
                coalesce(o.returned_quantity, 0)]) AS rows,
       max(o.order_id) AS last
