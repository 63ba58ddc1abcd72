// write_returned_quantity — SET (never increment) each order's returned_quantity from all its
// Return nodes, so reruns and resumed loads give the same values. Orders no longer keep their first
// return time (readers take min(returned_at) of the Returns): a first_returned_at left by an older
// load is removed. Expands from the bound order (returns are few per order).
// Parameters: $ids (list of order_id strings).
UNWIND $ids AS id
MATCH (o:Order {order_id: id})
CALL (o) {
  MATCH (x:Return)-[:RETURNS]->(o)
  RETURN sum(x.quantity) AS returned
}
SET o.returned_quantity = returned
REMOVE o.first_returned_at
