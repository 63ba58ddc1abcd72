// carries_counts — store on each (:Streamer)-[:CARRIES]->(:Product) its order count, units and units
// returned, as counted by a `paths` run from the graph read at `counted_at`. `most_trusted_path` uses
// them for a factory's carry trusts instead of re-reading its orders, unless a load added rows since.
// Counts only change with loads, so a reader seeing some pairs counted by this run and some by an
// earlier one still sees correct counts as long as no load finished after the older count.
// Parameters: $columns (MAP of LIST, all of one length: streamer_id STRING, product_id STRING, orders,
//             units, returned_units INTEGER, counted_at DATETIME: when the run began reading the graph).
// Ignored: $run_id (the paths run: every relationship batch is sent it; counts are not stamped).
// Returns: nothing.
UNWIND range(0, size($columns.streamer_id) - 1) AS i
MATCH (s:Streamer {streamer_id: $columns.streamer_id[i]})-[c:CARRIES]->(p:Product {product_id: $columns.product_id[i]})
SET c.orders = $columns.orders[i], c.units = $columns.units[i], c.returned_units = $columns.returned_units[i],
    c.counted_at = $columns.counted_at[i];
