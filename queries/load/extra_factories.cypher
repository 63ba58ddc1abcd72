// extra_factories — extra input columns of factories rows become properties of their :Factory
// ("the project may accept more"); run only when the file has extra columns.
// Parameters: $rows (list of {factory_id, extra: map of column -> text, empty values left out}).
UNWIND $rows AS row
MATCH (n:Factory {factory_id: row.factory_id})
SET n += row.extra
