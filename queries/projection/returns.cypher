// projection/returns — every return of an order, with its raw reason code (the trust model maps
// reasons to who caused the return; the projection carries them as stored).
// Parameters: none.
// Returns: order_id, returned_at as epoch nanoseconds (exact), quantity (units, as resolved when
// loaded), reason (null when the input left it empty).
MATCH (r:Return)
RETURN r.order_id AS order_id,
       r.returned_at.epochSeconds * 1000000000 + r.returned_at.nanosecond AS returned_at,
       r.quantity AS quantity, r.reason AS reason
