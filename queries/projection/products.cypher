// projection/products — every product of the catalog.
// Parameters: $after (STRING: read keys after this one; '' for the first chunk), $limit (INTEGER:
// products per chunk). Chunks follow the Product(product_id) index order, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [product_id, factory_id, name, category, price]: price a float),
// last (the chunk's last product_id; null when the chunk is empty, i.e. the table is done).
MATCH (p:Product) WHERE p.product_id > $after
WITH p ORDER BY p.product_id LIMIT $limit
RETURN collect([p.product_id, p.factory_id, p.name, p.category, p.price]) AS rows,
       max(p.product_id) AS last
