// lookup_returns — stored returns among the given keys (duplicate / conflict checks).
// Parameters: $keys (list of {order_id, returned_at: ISO-8601 UTC string}).
// Returns: order_id, returned_at (epoch nanoseconds), quantity (as resolved when loaded), reason.
UNWIND $keys AS k
MATCH (r:Return {order_id: k.order_id, returned_at: datetime(k.returned_at)})
RETURN r.order_id AS order_id,
       r.returned_at.epochSeconds * 1000000000 + r.returned_at.nanosecond AS returned_at,
       r.quantity AS quantity, r.reason AS reason
