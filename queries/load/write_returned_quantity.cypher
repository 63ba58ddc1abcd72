// write_returned_quantity — SET (never increment) each order's returned_quantity and
// first_returned_at from all its Return nodes, so reruns and resumed loads give the same values.
// Expands from the bound order (returns are few per order).
// Parameters: $ids (list of order_id strings).
UNWIND $ids AS id
MATCH (o:Order {order_id: id})
CALL (o) {
  MATCH (x:Return)-[:RETURNS]->(o)
  RETURN sum(x.quantity) AS returned, min(x.returned_at) AS first
}
SET o.returned_quantity = returned, o.first_returned_at = first
