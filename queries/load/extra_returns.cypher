// extra_returns — extra input columns of returns rows become properties of their :Return.
// Parameters: $rows (list of {order_id, returned_at: ISO-8601 UTC string, extra: map}).
UNWIND $rows AS row
MATCH (r:Return {order_id: row.order_id, returned_at: datetime(row.returned_at)})
SET r += row.extra
