// load_run — record one finished load: totals and the reconciliation table (JSON text).
// Parameters: $run_id, $props (map: folder, started_at / finished_at (ISO-8601), read, loaded,
// duplicate, pending, quarantined, pending_resolved, reconciliation).
MERGE (r:LoadRun {run_id: $run_id})
SET r += $props, r.started_at = datetime($props.started_at), r.finished_at = datetime($props.finished_at)
