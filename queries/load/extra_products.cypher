// extra_products — extra input columns of products rows become properties of their :Product
// ("the project may accept more"); run only when the file has extra columns.
// Parameters: $rows (list of {product_id, extra: map of column -> text, empty values left out}).
UNWIND $rows AS row
MATCH (n:Product {product_id: row.product_id})
SET n += row.extra
