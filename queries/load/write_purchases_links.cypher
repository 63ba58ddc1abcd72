// write_purchases_links — (:Consumer)-[:PLACED]->(:Order)-[:SOLD_BY]->(:Streamer) and
// (:Order)-[:OF_PRODUCT]->(:Product); consumers and streamers seen only here are created bare.
// Parameters: $rows (list of {order_id, consumer_id, streamer_id, product_id}).
UNWIND $rows AS row
MATCH (o:Order {order_id: row.order_id})
MATCH (p:Product {product_id: row.product_id})
MERGE (c:Consumer {consumer_id: row.consumer_id})
MERGE (s:Streamer {streamer_id: row.streamer_id})
MERGE (c)-[:PLACED]->(o)
MERGE (o)-[:SOLD_BY]->(s)
MERGE (o)-[:OF_PRODUCT]->(p)
