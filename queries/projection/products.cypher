// projection/products — every product of the catalog.
// Parameters: none.
// Returns: product_id, factory_id, name, category, price.
MATCH (p:Product)
RETURN p.product_id AS product_id, p.factory_id AS factory_id, p.name AS name,
       p.category AS category, p.price AS price
