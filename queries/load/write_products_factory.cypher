// write_products_factory — (:Product)-[:MADE_BY]->(:Factory); a factory seen only here is created bare.
// A separate statement from write_products so neither needs an Eager barrier.
// Parameters: $rows (list of {product_id, factory_id}).
UNWIND $rows AS row
MATCH (p:Product {product_id: row.product_id})
MERGE (f:Factory {factory_id: row.factory_id})
MERGE (p)-[:MADE_BY]->(f)
