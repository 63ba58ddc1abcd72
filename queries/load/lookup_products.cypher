// lookup_products — stored products among the given ids: duplicate / conflict checks and
// "is this product known" for purchases.
// Parameters: $ids (list of product_id strings).
// Returns: product_id, factory_id, name, category, price.
UNWIND $ids AS id
MATCH (n:Product {product_id: id})
RETURN n.product_id AS product_id, n.factory_id AS factory_id, n.name AS name,
       n.category AS category, n.price AS price
