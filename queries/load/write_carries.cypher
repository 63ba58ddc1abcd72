// write_carries — (:Streamer)-[:CARRIES]->(:Product) for streamer/product pairs of loaded orders.
// Parameters: $pairs (list of {streamer_id, product_id}, distinct).
UNWIND $pairs AS pair
MATCH (s:Streamer {streamer_id: pair.streamer_id})
MATCH (p:Product {product_id: pair.product_id})
MERGE (s)-[:CARRIES]->(p)
