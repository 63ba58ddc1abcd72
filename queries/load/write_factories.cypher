// write_factories — create factories, or fill a factory known only from products.
// Parameters: $rows (list of {factory_id, name, region}).
UNWIND $rows AS row
MERGE (f:Factory {factory_id: row.factory_id})
SET f.name = row.name, f.region = row.region
