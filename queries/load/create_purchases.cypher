// create_purchases — orders whose order_id the loader knows is new (no Order when the run started,
// not written by this run): CREATE the Order and its PLACED, SOLD_BY and OF_PRODUCT relationships
// in one pass; properties go in the CREATE map (a SET after the MERGEs would need an Eager
// barrier). Consumers and streamers seen only here are created bare (MERGE); the product is
// known (purchases of unknown products are pending). returned_quantity starts at 0.
// The batch comes as one list per column (no map per row).
// Parameters: $columns (map of lists, all of one length: order_id, consumer_id, streamer_id,
// product_id, quantity: int, amount: float, purchased_at: ISO-8601 UTC string).
UNWIND range(0, size($columns.order_id) - 1) AS i
MATCH (p:Product {product_id: $columns.product_id[i]})
MERGE (c:Consumer {consumer_id: $columns.consumer_id[i]})
MERGE (s:Streamer {streamer_id: $columns.streamer_id[i]})
CREATE (o:Order {order_id: $columns.order_id[i], returned_quantity: 0, consumer_id: $columns.consumer_id[i],
                 streamer_id: $columns.streamer_id[i], product_id: $columns.product_id[i],
                 quantity: $columns.quantity[i], amount: $columns.amount[i],
                 purchased_at: datetime($columns.purchased_at[i])})
CREATE (c)-[:PLACED]->(o), (o)-[:SOLD_BY]->(s), (o)-[:OF_PRODUCT]->(p)
