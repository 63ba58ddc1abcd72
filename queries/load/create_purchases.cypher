// create_purchases — orders whose order_id the loader knows is new (no Order when the run started,
// not written by this run): CREATE the Order and its PLACED, SOLD_BY and OF_PRODUCT relationships
// in one pass; properties go in the CREATE map (a SET after the MERGEs would need an Eager
// barrier). Consumers and streamers seen only here are created bare (MERGE); the product is
// known (purchases of unknown products are pending). returned_quantity starts at 0.
// Parameters: $rows (list of {order_id, consumer_id, streamer_id, product_id, quantity: int,
// amount: float, purchased_at: ISO-8601 UTC string}).
UNWIND $rows AS row
MATCH (p:Product {product_id: row.product_id})
MERGE (c:Consumer {consumer_id: row.consumer_id})
MERGE (s:Streamer {streamer_id: row.streamer_id})
CREATE (o:Order {order_id: row.order_id, returned_quantity: 0, consumer_id: row.consumer_id,
                 streamer_id: row.streamer_id, product_id: row.product_id, quantity: row.quantity,
                 amount: row.amount, purchased_at: datetime(row.purchased_at)})
CREATE (c)-[:PLACED]->(o), (o)-[:SOLD_BY]->(s), (o)-[:OF_PRODUCT]->(p)
