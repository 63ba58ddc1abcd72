// name: pending_rows
// answers: Which input rows still wait for something (a purchase for its product, a return for its order), since which load of which folder, oldest first; a later load retries them.
// param: stream STRING in {purchases, returns} = null  only rows of this stream
// param: limit INTEGER >= 0 = 100  how many rows
// returns: stream, key, file, row, reason, detail, load_run_id, load_folder, values
// index: Pending(stream) range index (a seek when $stream is given; every Pending otherwise); LoadRun(run_id) unique constraint
// Two branches: `$stream IS NULL OR p.stream = $stream` in one WHERE kept the planner off the index.
CALL () {
  WITH $stream AS stream WHERE stream IS NOT NULL
  MATCH (p:Pending {stream: stream})
  USING INDEX SEEK p:Pending(stream)
  RETURN p
  UNION ALL
  WITH $stream AS stream WHERE stream IS NULL
  MATCH (p:Pending)
  RETURN p
}
OPTIONAL MATCH (load:LoadRun {run_id: p.run_id})
USING INDEX SEEK load:LoadRun(run_id)
RETURN p.stream AS stream, p.key AS key, p.file AS file, p.row AS row, p.reason AS reason, p.detail AS detail,
       p.run_id AS load_run_id, load.folder AS load_folder, p.values AS values
ORDER BY load_run_id, file, row, key
LIMIT $limit;
