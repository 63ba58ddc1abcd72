// extra_purchases — extra input columns of purchases rows become properties of their :Order
// ("the project may accept more"); run only when the file has extra columns.
// Parameters: $rows (list of {order_id, extra: map of column -> text, empty values left out}).
UNWIND $rows AS row
MATCH (n:Order {order_id: row.order_id})
SET n += row.extra
