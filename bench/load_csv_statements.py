"""Neo4j's own ``LOAD CSV ... CALL { } IN TRANSACTIONS`` for the contract files: the bench baseline.

Each file is loaded the way a careful Neo4j user would: ``MERGE`` on the constrained keys,
``datetime()`` / ``toFloat()`` / ``toInteger()`` conversions, and split into passes where one
statement would need an Eager barrier (the same split the loader uses). No validation.
"""

from __future__ import annotations

TX = "IN TRANSACTIONS OF $batch ROWS"

# stream -> list of statements (run in order, each over the whole file); $url, $batch
STATEMENTS: dict[str, list[str]] = {
    "factories": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (f:Factory {{factory_id: row.factory_id}}) SET f.name = row.name, f.region = row.region }} {TX}""",
    ],
    "streamers": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (s:Streamer {{streamer_id: row.streamer_id}})
  SET s.name = row.name, s.category = row.category, s.region = row.region }} {TX}""",
    ],
    "consumers": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (c:Consumer {{consumer_id: row.consumer_id}})
  SET c.region = row.region, c.registered_at = datetime(row.registered_at) }} {TX}""",
    ],
    "products": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (p:Product {{product_id: row.product_id}})
  SET p.factory_id = row.factory_id, p.name = row.name, p.category = row.category, p.price = toFloat(row.price) }} {TX}""",
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MATCH (p:Product {{product_id: row.product_id}})
  MERGE (f:Factory {{factory_id: row.factory_id}}) MERGE (p)-[:MADE_BY]->(f) }} {TX}""",
    ],
    "follows": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (c:Consumer {{consumer_id: row.consumer_id}})
  MERGE (s:Streamer {{streamer_id: row.streamer_id}})
  MERGE (c)-[f:FOLLOWS {{followed_at: datetime(row.followed_at)}}]->(s)
  SET f.unfollowed_at = datetime(row.unfollowed_at) }} {TX}""",
    ],
    "purchases": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MERGE (o:Order {{order_id: row.order_id}})
  ON CREATE SET o.returned_quantity = 0
  SET o.consumer_id = row.consumer_id, o.streamer_id = row.streamer_id, o.product_id = row.product_id,
      o.quantity = toInteger(row.quantity), o.amount = toFloat(row.amount),
      o.purchased_at = datetime(row.purchased_at) }} {TX}""",
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MATCH (o:Order {{order_id: row.order_id}})
  MATCH (p:Product {{product_id: row.product_id}})
  MERGE (c:Consumer {{consumer_id: row.consumer_id}})
  MERGE (s:Streamer {{streamer_id: row.streamer_id}})
  MERGE (c)-[:PLACED]->(o) MERGE (o)-[:SOLD_BY]->(s) MERGE (o)-[:OF_PRODUCT]->(p)
  MERGE (s)-[:CARRIES]->(p) }} {TX}""",
    ],
    "returns": [
        f"""LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {{ MATCH (o:Order {{order_id: row.order_id}})
  MERGE (r:Return {{order_id: row.order_id, returned_at: datetime(row.returned_at)}})
  SET r.quantity = coalesce(toInteger(row.quantity), o.quantity), r.reason = row.reason
  MERGE (r)-[:RETURNS]->(o) }} {TX}""",
        f"""LOAD CSV WITH HEADERS FROM $url AS row
WITH DISTINCT row.order_id AS id
CALL (id) {{ MATCH (o:Order {{order_id: id}})
  CALL (o) {{ MATCH (x:Return)-[:RETURNS]->(o) RETURN sum(x.quantity) AS q }}
  SET o.returned_quantity = q }} {TX}""",
    ],
}
