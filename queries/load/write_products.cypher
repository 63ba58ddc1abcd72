// write_products — create (or set) product nodes; write_products_factory attaches them.
// Parameters: $rows (list of {product_id, factory_id, name, category, price: float or null}).
UNWIND $rows AS row
MERGE (p:Product {product_id: row.product_id})
SET p.factory_id = row.factory_id, p.name = row.name, p.category = row.category, p.price = row.price
