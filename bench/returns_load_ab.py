"""A/B of a returns-only (or purchases-only) ``livetrust load`` under two installs or options, each run on
the same restored graph.

    flock /tmp/livetrust-bench.lock python bench/returns_load_ab.py \\
        --old /work/venv-base/bin/livetrust --new "$(which livetrust)" --pairs 3 \\
        --home /work/.neo4j-ret --snapshot /work/.neo4j-ret-snap --port 7695 \\
        --returns /tmp/m-ret --jsonl bench/results/returns_load_ab.jsonl --label "..."

``--snapshot`` is a copy of the ``data`` folder of a stopped ``scripts/neo4j-local`` server
(``--home``) holding the m world loaded without returns.csv; ``--returns`` a folder holding only
returns.csv. Before every run the server is stopped, its data replaced by the snapshot, started,
and its page cache warmed by reading every Order's and Consumer's id. Runs alternate old, new, old, new ...
Each run records the returns rows/s of the load's reconciliation.json, the wall time and peak
RSS of the ``livetrust`` process (``/usr/bin/time -v``) and a digest of the Returns it left
(count, units, the orders' ``returned_quantity`` totals), which must agree between the installs.
Used for the returns note in bench/results/load.md (issue 4).

``--stream purchases`` does the same for a folder holding only purchases.csv, on a snapshot of the m
world loaded without purchases and returns; its digest counts the Orders, their units and the PLACED,
SOLD_BY, OF_PRODUCT and CARRIES relationships. ``--old``/``--new`` may be wrappers that add options,
e.g. ``exec livetrust "$@" --batch-size 5000``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from neo4j import GraphDatabase

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = {"returns": """MATCH (r:Return)-[:RETURNS]->(o:Order)
WITH count(r) AS returns, sum(r.quantity) AS units, collect(DISTINCT o) AS orders
RETURN returns, units, size(orders) AS orders,
       reduce(t = 0, o IN orders | t + o.returned_quantity) AS returned_quantity""",
           "purchases": """MATCH (o:Order)
WITH count(o) AS orders, sum(o.quantity) AS units
RETURN orders, units, COUNT { ()-[:PLACED]->() } AS placed, COUNT { ()-[:SOLD_BY]->() } AS sold_by,
       COUNT { ()-[:OF_PRODUCT]->() } AS of_product, COUNT { ()-[:CARRIES]->() } AS carries"""}


def server(action: str, env: dict) -> None:
    subprocess.run([str(ROOT / "scripts/neo4j-local"), action], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def restore(home: Path, snapshot: Path, env: dict) -> dict:
    server("stop", env)
    shutil.rmtree(home / "data")
    shutil.copytree(snapshot, home / "data", symlinks=True)
    server("start", env)
    out = subprocess.run([str(ROOT / "scripts/neo4j-local"), "env"], env=env, check=True,
                         capture_output=True, text=True).stdout
    creds = dict(re.findall(r"export (\w+)=['\"]?([^'\"\n]*)", out))
    with GraphDatabase.driver(creds["NEO4J_URI"], auth=(creds["NEO4J_USER"], creds["NEO4J_PASSWORD"])) as d:
        d.execute_query("MATCH (o:Order) RETURN count(o.order_id) AS n")  # warm the page cache
        d.execute_query("MATCH (c:Consumer) RETURN count(c.consumer_id) AS n")
    return creds


def one_run(binary: str, folder: Path, stream: str, creds: dict) -> dict:
    env = {**os.environ, **creds}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report"
        timing = Path(tmp) / "time.txt"
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-v", "-o", str(timing), binary, "load", str(folder),
                        "--report-dir", str(report), "--quiet"], env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text()).group(1))
        files = json.loads((report / "reconciliation.json").read_text())["files"]
    ret = next(f for f in files if f["stream"] == stream)
    with GraphDatabase.driver(creds["NEO4J_URI"], auth=(creds["NEO4J_USER"], creds["NEO4J_PASSWORD"])) as d:
        digest = d.execute_query(DIGESTS[stream]).records[0].data()
    return {"rows": ret["read"], "loaded": ret["loaded"], "seconds": ret["seconds"], "rows_per_s": ret["rows_per_s"],
            "wall_s": round(wall, 1), "peak_rss_mib": round(rss_kb / 1024), "digest": digest}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--snapshot", type=Path, required=True)
    ap.add_argument("--port", default="7695")
    ap.add_argument("--folder", "--returns", type=Path, required=True, help="a folder holding only the stream's file")
    ap.add_argument("--stream", choices=sorted(DIGESTS), default="returns")
    ap.add_argument("--jsonl", type=Path, required=True)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    env = {**os.environ, "NEO4J_LOCAL_HOME": str(a.home), "NEO4J_LOCAL_BOLT_PORT": a.port,
           "NEO4J_LOCAL_HTTP_PORT": "off"}
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    try:
        for pair in range(a.pairs):
            for side, binary in (("old", a.old), ("new", a.new)):
                creds = restore(a.home, a.snapshot, env)
                load = os.getloadavg()[0]
                r = one_run(binary, a.folder, a.stream, creds)
                r.update(stream=a.stream, side=side, pair=pair + 1, binary=binary, label=a.label, load_1min=round(load, 2),
                         at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
                runs[side].append(r)
                with a.jsonl.open("a") as f:
                    f.write(json.dumps(r) + "\n")
                print(f"pair {pair + 1} {side}: {r['rows_per_s']} rows/s, wall {r['wall_s']} s, "
                      f"peak {r['peak_rss_mib']} MiB, load {r['load_1min']}", flush=True)
    finally:
        server("stop", env)
    digests = {json.dumps(r["digest"], sort_keys=True) for side in runs.values() for r in side}
    old = statistics.median(r["rows_per_s"] for r in runs["old"])
    new = statistics.median(r["rows_per_s"] for r in runs["new"])
    print(f"median rows/s: old {old:.0f}, new {new:.0f}, ratio {new / old:.2f}x; "
          f"graphs {'identical' if len(digests) == 1 else 'DIFFER'}: {sorted(digests)}")
    sys.exit(0 if len(digests) == 1 else 1)


if __name__ == "__main__":
    main()
