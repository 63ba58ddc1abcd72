// projection/factories — every factory (those known only from products have null attributes).
// Parameters: $after (STRING: read keys after this one; '' for the first chunk), $limit (INTEGER:
// factorys per chunk). Chunks follow the Factory(factory_id) index order, so the server holds one chunk at a time.
// Returns: one row: rows (LIST of [factory_id, name, region]: strings),
// last (the chunk's last factory_id; null when the chunk is empty, i.e. the table is done).
MATCH (f:Factory) WHERE f.factory_id > $after
WITH f ORDER BY f.factory_id LIMIT $limit
RETURN collect([f.factory_id, f.name, f.region]) AS rows,
       max(f.factory_id) AS last
