"""Bond write rates: create vs overwrite-in-place vs delete, on a slice of a real bond table.

    python bench/bond_write_rates.py N CONSUMER_STREAMER_CSV      # NEO4J_URI ... of a loaded world

Writes the first N bonds of a score run's ``consumer_streamer`` file as ``BENCHZ`` relationships
(10 properties, the statement shape of ``queries/writeback/trusts_write_columns.cypher``) five
times under new run ids: generation 1 creates, generation 2 creates beside it (the first is
"current"), generations 3-5 overwrite the older generation in place; then deletes them all.
Prints rows/s per step. Used for bench/results/score.md (issue 5). Leaves no BENCHZ behind.
"""
import os, sys, time
import pandas as pd
from neo4j import GraphDatabase
N = int(sys.argv[1])
BONDS = sys.argv[2]
drv = GraphDatabase.driver(os.environ["NEO4J_URI"], auth=(os.environ["NEO4J_USER"], os.environ["NEO4J_PASSWORD"]))
b = pd.read_csv(BONDS, nrows=N)
recs, _, _ = drv.execute_query("""CALL () { MATCH (c:Consumer) RETURN 'Consumer' AS label, collect(c.consumer_id) AS ids, collect(elementId(c)) AS e
 UNION ALL MATCH (s:Streamer) RETURN 'Streamer' AS label, collect(s.streamer_id) AS ids, collect(elementId(s)) AS e } RETURN label, ids, e""")
m = {r["label"]: dict(zip(r["ids"], r["e"])) for r in recs}
cols = {"consumer_node": b.consumer_id.map(m["Consumer"]).tolist(), "streamer_node": b.streamer_id.map(m["Streamer"]).tolist()}
for c in ("trust", "confidence", "followed_days", "orders", "units", "returned_units", "consumer_credibility"):
    cols[c] = [None if pd.isna(v) else v for v in b[c].tolist()]
for c in ("following", "repeat_buyer"):
    cols[c] = [bool(v) for v in b[c].tolist()]
PROPS = "run_id: $run_id, trust: $columns.trust[i], confidence: $columns.confidence[i], following: $columns.following[i], followed_days: $columns.followed_days[i], orders: $columns.orders[i], units: $columns.units[i], returned_units: $columns.returned_units[i], repeat_buyer: $columns.repeat_buyer[i], consumer_credibility: $columns.consumer_credibility[i]"
SETS = ", ".join(f"old.{p.split(':')[0].strip()} = {p.split(':', 1)[1].strip()}" for p in PROPS.split(", "))
Q = f"""UNWIND range(0, size($columns.consumer_node) - 1) AS i
MATCH (c:Consumer) WHERE elementId(c) = $columns.consumer_node[i]
MATCH (s:Streamer) WHERE elementId(s) = $columns.streamer_node[i]
OPTIONAL CALL (c, s) {{
  MATCH (c)-[old:BENCHZ]->(s) WHERE old.run_id <> $current AND old.run_id <> $run_id
  RETURN old LIMIT 1
}}
SET {SETS}
WITH c, s, i, old WHERE old IS NULL
CREATE (c)-[:BENCHZ {{{PROPS}}}]->(s)"""
B = 20000
def go(run, current):
    t0 = time.perf_counter()
    for i in range(0, N, B):
        part = {k: x[i:i + B] for k, x in cols.items()}
        with drv.session() as s:
            s.execute_write(lambda tx: tx.run(Q, columns=part, run_id=run, current=current).consume())
    dt = time.perf_counter() - t0
    n, = drv.execute_query("MATCH ()-[t:BENCHZ]->() RETURN count(t) AS n")[0][0]
    print(f"{run} {N/dt:8.0f}/s ({dt:.1f}s) rels {n}", flush=True)
prev = ""
for k in range(1, 6):
    run = f"score-20261203T09371{k}Z-ab12c{k}"
    go(run, prev); prev = run
t0 = time.perf_counter()
with drv.session() as s:
    s.run("MATCH ()-[t:BENCHZ]->() CALL (t) { DELETE t } IN TRANSACTIONS OF 20000 ROWS").consume()
print("delete", round(2 * N / (time.perf_counter() - t0)), "/s")
