// name: streamer_return_trend
// answers: A streamer's orders, units and return rate by week of purchase (is a return spike building?).
// param: streamer_id STRING  the streamer
// param: weeks INTEGER = 26  how many most recent weeks
// returns: week (DATE, Monday), orders, units, returned_units, return_rate
// index: Streamer(streamer_id) unique constraint
MATCH (s:Streamer {streamer_id: $streamer_id})<-[:SOLD_BY]-(o:Order)
WITH date.truncate('week', o.purchased_at) AS week, count(o) AS orders, sum(o.quantity) AS units,
     sum(coalesce(o.returned_quantity, 0)) AS returned
RETURN toString(week) AS week, orders, units, returned AS returned_units, toFloat(returned) / units AS return_rate
ORDER BY week DESC
LIMIT $weeks;
