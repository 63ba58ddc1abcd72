// extra_consumers — extra input columns of consumers rows become properties of their :Consumer
// ("the project may accept more"); run only when the file has extra columns.
// Parameters: $rows (list of {consumer_id, extra: map of column -> text, empty values left out}).
UNWIND $rows AS row
MATCH (n:Consumer {consumer_id: row.consumer_id})
SET n += row.extra
