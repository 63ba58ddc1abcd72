// name: streamer_return_trend
// answers: A streamer's orders, units and return rate by week of purchase (is a return spike building?).
// param: streamer_id STRING  the streamer
// param: weeks INTEGER >= 0 = 26  how many most recent weeks with orders (a week without any is no row)
// returns: week (DATE as text, the Monday), orders, units, returned_units, return_rate
// index: Streamer(streamer_id) unique constraint; LoadRun(finished_at)
// how: the score run writes each streamer's weekly roll-up (`trend_*` lists, latest week first)
//   and when it read the graph (`digest_read_at`). If no load that added rows finished since, the
//   roll-up is current and answers without touching the streamer's orders; otherwise (or before
//   any score run) the weeks are counted live from the orders.
MATCH (s:Streamer {streamer_id: $streamer_id})
USING INDEX SEEK s:Streamer(streamer_id)
WITH s, s.trend_weeks IS NOT NULL AND s.digest_read_at IS NOT NULL
        AND NOT EXISTS { MATCH (l:LoadRun) WHERE l.finished_at > s.digest_read_at
                                AND (l.loaded > 0 OR l.pending_resolved > 0) } AS digested
CALL (s, digested) {
  WITH s WHERE digested
  UNWIND range(0, size(s.trend_weeks) - 1) AS i
  RETURN s.trend_weeks[i] AS week, s.trend_orders[i] AS orders, s.trend_units[i] AS units,
         s.trend_returned_units[i] AS returned
  UNION ALL
  WITH s WHERE NOT digested
  MATCH (s)<-[:SOLD_BY]-(o:Order)
  WITH date.truncate('week', o.purchased_at) AS day, count(o) AS orders, sum(o.quantity) AS units,
       sum(coalesce(o.returned_quantity, 0)) AS returned
  RETURN toString(day) AS week, orders, units, returned
}
RETURN week, orders, units, returned AS returned_units, toFloat(returned) / units AS return_rate
ORDER BY week DESC
LIMIT $weeks;
