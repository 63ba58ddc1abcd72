// lookup_factories — stored factories among the given ids (duplicate / conflict checks).
// Parameters: $ids (list of factory_id strings).
// Returns: one row per stored factory: factory_id, name, region.
UNWIND $ids AS id
MATCH (n:Factory {factory_id: id})
RETURN n.factory_id AS factory_id, n.name AS name, n.region AS region
