"""A/B of the returns write statement: the order found by its order_id (index seek, as
queries/load/create_returns.cypher does) or by an element id taken from the look-up.

    python bench/returns_write_ab.py id|eid [WRITERS [set|noset [composite|range|single|none]]]
    # NEO4J_URI ... of a server holding the m world loaded without returns.csv (restored per run)

Reads /work/worlds/m/returns.csv, looks up every order (20k per query, as the loader's
lookup_order_facts does), then writes all returns in 20k-row transactions with WRITERS sessions
at once (default 1; managed transactions, retried on deadlocks) and prints rows/s. ``noset``
drops the SET of the order's units returned (the order's total would then be summed from its
Returns when a later load checks a return against it). The last argument replaces the Return
key's constraint before writing (default ``composite``, the schema's): ``range`` a plain
composite range index, ``single`` a unique constraint on one extra ``key`` property
(order_id + returned_at), ``none`` no index at all (a lower bound, not a design). Used for the returns note in bench/results/load.md (issue 4).
"""
import os, sys, time
import pandas as pd
from neo4j import GraphDatabase
from concurrent.futures import ThreadPoolExecutor
mode = sys.argv[1]
writers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
set_total = (sys.argv[3] if len(sys.argv) > 3 else "set") == "set"
key = sys.argv[4] if len(sys.argv) > 4 else "composite"
d = GraphDatabase.driver(os.environ["NEO4J_URI"], auth=(os.environ["NEO4J_USER"], os.environ["NEO4J_PASSWORD"]))
if key != "composite":
    d.execute_query("DROP CONSTRAINT return_key IF EXISTS")
if key == "range":
    d.execute_query("CREATE INDEX return_k IF NOT EXISTS FOR (n:Return) ON (n.order_id, n.returned_at)")
if key == "single":
    d.execute_query("CREATE CONSTRAINT return_k IF NOT EXISTS FOR (n:Return) REQUIRE n.key IS UNIQUE")
d.execute_query("CALL db.awaitIndexes(300)")
r = pd.read_csv(os.environ.get("RETURNS_CSV", "/work/worlds/m/returns.csv"), dtype=str, keep_default_na=False)
r["quantity"] = r["quantity"].replace("", "1").astype(int)
tot = r.groupby("order_id")["quantity"].sum()
ids = sorted(set(r.order_id))
t = time.perf_counter()
em = {}
for i in range(0, len(ids), 20000):
    recs = d.execute_query("UNWIND $ids AS id MATCH (o:Order {order_id: id}) RETURN o.order_id AS id, elementId(o) AS e, o.quantity AS q, o.purchased_at AS p", ids=ids[i:i+20000]).records
    em.update({x["id"]: x["e"] for x in recs})
print("lookup", round(time.perf_counter() - t, 1))
ORDER = {"id": "MATCH (o:Order {order_id: $columns.order_id[i]})", "eid": "MATCH (o:Order) WHERE elementId(o) = $columns.order_node[i]"}[mode]
KEY = "key: $columns.key[i], " if key == "single" else ""
Q = f"""UNWIND range(0, size($columns.order_id) - 1) AS i
{ORDER}
CREATE (r:Return {{{KEY}order_id: $columns.order_id[i], returned_at: datetime($columns.returned_at[i]),
                  quantity: $columns.quantity[i], reason: $columns.reason[i]}})-[:RETURNS]->(o)
""" + ("SET o.returned_quantity = $columns.order_returned[i]" if set_total else "")
def write(i):
    part = r.iloc[i:i+20000]
    cols = {"order_id": part.order_id.tolist(), "returned_at": part.returned_at.tolist(), "quantity": part.quantity.tolist(),
            "reason": [x or None for x in part.reason], "order_returned": [int(tot[o]) for o in part.order_id],
            "order_node": [em[o] for o in part.order_id], "key": (part.order_id + "\x1f" + part.returned_at).tolist()}
    with d.session() as s:
        s.execute_write(lambda tx: tx.run(Q, columns=cols).consume())
t = time.perf_counter()
with ThreadPoolExecutor(writers) as pool:
    list(pool.map(write, range(0, len(r), 20000)))
dt = time.perf_counter() - t
print(mode, writers, "set" if set_total else "noset", key, f"{len(r)/dt:.0f} rows/s ({dt:.1f} s)")
