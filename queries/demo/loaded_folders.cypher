// demo/loaded_folders — which contract folders earlier `livetrust load` runs loaded into this database.
// Parameters: none.
// Returns: folder STRING, one row per distinct folder of a (:LoadRun).
MATCH (r:LoadRun) RETURN DISTINCT r.folder AS folder;
