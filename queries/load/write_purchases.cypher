// write_purchases — order nodes (one per order line). returned_quantity starts at 0 and is only
// ever recomputed from Return nodes (write_returned_quantity). write_purchases_links attaches them.
// Parameters: $rows (list of {order_id, consumer_id, streamer_id, product_id, quantity: int,
// amount: float, purchased_at: ISO-8601 UTC string}).
UNWIND $rows AS row
MERGE (o:Order {order_id: row.order_id})
ON CREATE SET o.returned_quantity = 0
SET o.consumer_id = row.consumer_id, o.streamer_id = row.streamer_id, o.product_id = row.product_id,
    o.quantity = row.quantity, o.amount = row.amount, o.purchased_at = datetime(row.purchased_at)
