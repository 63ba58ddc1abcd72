// projection/factories — every factory (those known only from products have null attributes).
// Parameters: none.
// Returns: factory_id, name, region.
MATCH (f:Factory)
RETURN f.factory_id AS factory_id, f.name AS name, f.region AS region
