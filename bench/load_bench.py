"""Loader throughput against Neo4j's own LOAD CSV and a naive one-row-per-transaction loop.

    eval "$(scripts/neo4j-local env)"
    python bench/load_bench.py --scale m            # writes bench/results/load.md

Steps, all against the Neo4j of NEO4J_URI (its database is WIPED):

1. Generate the world once into a cache folder outside git (default /tmp/livetrust-bench/SCALE).
2. Empty database; ``LOAD CSV ... CALL { } IN TRANSACTIONS`` of the CSV files
   (bench/load_csv_statements.py), timed per file.
3. Naive sample 1, on top of that full graph (just before the loader phase).
4. Empty database; run ``livetrust load`` in a child process; rows/s per file from its
   reconciliation.json, peak RSS of the child from getrusage.
5. Naive samples 2..N, on top of the loader's full graph (just after the loader phase, then
   one after the other until the end of the run).

A naive sample: per stream, a loop over the first ``--naive-rows`` rows of the file with keys
no sample has used (ids prefixed ``naiveK-``, event times shifted by K microseconds) -- one
managed write transaction per row with the loader's plain MERGE statements (``WRITES``:
queries/load/write_*.cypher, the ones the loader uses for rows that may exist; never its CREATE
statements for keys it knows are new) plus the per-row follow-up the loader runs for merged rows
(CARRIES for purchases, the order's return totals for returns) -- timed. The loader / naive ratio
uses the MEDIAN of a stream's samples; the table also gives every sample and the min / max ratio
(the naive loop is dominated by per-transaction commit latency, which moves with the machine's
state: one sample at the end of the run moved the ratio 2x between runs).

The load average (``os.getloadavg``) is recorded at the start and end of every phase and sample:
the machine is shared, and a phase that ran under more load says so in the table.

"Empty database": with ``--fresh-server DIR`` (a private copy of scripts/neo4j-local, i.e.
DIR/scripts/neo4j-local) the server is stopped, its data folder deleted and started again,
which is much faster than deleting an m-sized graph (and a 2 GB heap cannot DETACH DELETE
its high-degree nodes in big batches). Without it the graph is deleted in small batches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_csv_statements import STATEMENTS  # noqa: E402

from livetrust.contract import LOAD_ORDER  # noqa: E402
from livetrust.db import apply_schema, open_driver  # noqa: E402
from livetrust.loaders.pipeline import LOAD_BATCH  # noqa: E402
from livetrust.loaders.readers import discover, read_chunks  # noqa: E402
from livetrust.loaders.state import WRITES, records  # noqa: E402
from livetrust.loaders.validate import batch_from_chunk, check_fields  # noqa: E402
from livetrust.queries import cypher_statement  # noqa: E402
from livetrust.settings import Neo4jSettings  # noqa: E402


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def wipe(driver, database: str) -> None:
    """Low-degree nodes first, small batches: DETACH DELETE of high-degree nodes exhausts a 2 GB heap."""
    with driver.session(database=database) as s:
        for label in ("Return", "Order", "Pending", "LoadRun", "Consumer", "Product", "Streamer", "Factory"):
            s.run(f"MATCH (n:{label}) CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 2000 ROWS").consume()
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 500 ROWS").consume()


def fresh(driver, settings: Neo4jSettings, server: Path | None):
    """An empty database: restart a private server on a new store, or delete the graph."""
    if server is None:
        wipe(driver, settings.database)
        return driver
    driver.close()
    script = server / "scripts" / "neo4j-local"
    subprocess.run([str(script), "stop"], check=True, capture_output=True)
    subprocess.run(["rm", "-rf", str(server / ".neo4j-local" / "data")], check=True)
    from urllib.parse import urlparse

    env = dict(os.environ, NEO4J_LOCAL_BOLT_PORT=str(urlparse(settings.uri).port or 7687), NEO4J_LOCAL_HTTP_PORT="off")
    done = subprocess.run([str(script), "start"], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"cannot restart {script}: {done.stderr[-2000:]}")
    return open_driver(settings)


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem / 1024 / 1024, 1),
            "python": platform.python_version()}


def run_loader(world: Path, report: Path, batch_size: int) -> tuple[dict, float, float]:
    # the child reports its own peak RSS (getrusage RUSAGE_SELF) on its last stderr line
    code = ("import resource, sys\nfrom livetrust.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit as e:\n    rc = e.code or 0\nelse:\n    rc = 0\n"
            "print(f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
            "sys.exit(rc)")
    cmd = [sys.executable, "-c", code, "load", str(world), "--quiet", "--report-dir", str(report),
           "--batch-size", str(batch_size)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"loader failed: {done.stderr[-3000:]}")
    rss_mib = int(done.stderr.strip().splitlines()[-1].split("=", 1)[1]) / 1024
    return json.loads((report / "reconciliation.json").read_text()), wall, rss_mib


def load_csv(driver, database: str, path: Path, stream: str, batch: int) -> float:
    t0 = time.perf_counter()
    for q in STATEMENTS[stream]:
        with driver.session(database=database) as s:
            s.run(q, url=path.resolve().as_uri(), batch=batch).consume()
    return time.perf_counter() - t0


FRESH_ID = {"factories": "factory_id", "streamers": "streamer_id", "products": "product_id",
            "consumers": "consumer_id", "purchases": "order_id"}
FRESH_TIME = {"follows": "followed_at", "returns": "returned_at"}


def naive(driver, database: str, world: Path, stream: str, n: int, sample: int = 1) -> tuple[int, float]:
    """One write transaction per row with the loader's MERGE Cypher, fresh keys; returns (rows, seconds).

    ``sample`` (1, 2, ...) makes the keys differ between samples on the same graph.
    """
    (src,) = discover(world)[stream]
    chunk = next(read_chunks(src, n))
    batch = batch_from_chunk(stream, chunk)
    check_fields(batch)
    ok = batch.undecided
    if stream in FRESH_TIME:
        col = FRESH_TIME[stream]
        batch.typed[col] = batch.typed[col] + np.timedelta64(sample, "us")
    rows = records(batch, ok)
    for row in rows:
        if stream in FRESH_ID:
            row[FRESH_ID[stream]] = f"naive{sample}-" + row[FRESH_ID[stream]]
    queries = [cypher_statement(q) for q in WRITES[stream]]
    extra = {"purchases": cypher_statement("load/write_carries"), "returns": cypher_statement("load/write_returned_quantity")}
    t0 = time.perf_counter()
    with driver.session(database=database) as s:
        for row in rows:
            def work(tx, row=row):
                for q in queries:
                    tx.run(q, rows=[row]).consume()
                if stream == "purchases":
                    tx.run(extra[stream], pairs=[{"streamer_id": row["streamer_id"], "product_id": row["product_id"]}]).consume()
                elif stream == "returns":
                    tx.run(extra[stream], ids=[row["order_id"]]).consume()
            s.execute_write(work)
    return len(rows), time.perf_counter() - t0


def naive_sample(driver, database: str, world: Path, n: int, k: int, where: str) -> dict:
    """Naive sample ``k``: every stream once; rows/s per stream, when and under which load."""
    out = {"k": k, "where": where, "at": f"{dt.datetime.now():%H:%M:%S}", "load": [loadavg()], "rate": {}}
    for s in LOAD_ORDER:
        rows, sec = naive(driver, database, world, s, n, k)
        out["rate"][s] = rows / sec if sec else float("nan")
        log(f"naive sample {k} ({where}) {s}: {rows} rows in {sec:.1f}s")
    out["load"].append(loadavg())
    return out


def loadavg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def count_rows(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="m")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/livetrust-bench"))
    ap.add_argument("--batch-size", type=int, default=LOAD_BATCH,
                    help="rows per chunk and transaction, for the loader and LOAD CSV alike [default: the loader's]")
    ap.add_argument("--naive-rows", type=int, default=2000)
    ap.add_argument("--naive-samples", type=int, default=3, help="Naive samples per stream: the first "
                    "before the loader phase (on the LOAD CSV graph), the others after it (on the loader's graph).")
    ap.add_argument("--world", type=Path, help="An existing world folder of that scale and seed "
                    "[default: CACHE/SCALE, generated when missing].")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "load.md")
    ap.add_argument("--fresh-server", type=Path, help="Folder of a private scripts/neo4j-local copy to restart "
                    "on an empty store between phases (see the module docstring).")
    args = ap.parse_args()

    world = args.world or args.cache / args.scale
    if not (world / "purchases.csv").exists():
        from livetrust.world import generate_world

        log(f"generating the {args.scale} world into {world}")
        generate_world(world, scale=args.scale, seed=args.seed)
    settings = Neo4jSettings.from_env()
    driver = open_driver(settings)
    db = settings.database
    if args.fresh_server is not None:
        args.fresh_server = args.fresh_server.resolve()
    info = driver.get_server_info()
    conf = {r["name"]: r["value"] for r in driver.execute_query(
        "CALL dbms.listConfig() YIELD name, value WHERE name IN "
        "['server.memory.heap.max_size', 'server.memory.pagecache.size'] RETURN name, value").records}
    rows = {s: count_rows(world / f"{s}.csv") for s in LOAD_ORDER}

    load: dict[str, tuple[str, str]] = {}  # phase -> load average (1 min) at start, at end
    started = dt.datetime.now()

    log("empty database; LOAD CSV")
    driver = fresh(driver, settings, args.fresh_server)
    apply_schema(driver, db)
    lc = {}
    load["LOAD CSV"] = (loadavg(), "")
    for s in LOAD_ORDER:
        lc[s] = load_csv(driver, db, world / f"{s}.csv", s, args.batch_size)
        log(f"LOAD CSV {s}: {lc[s]:.1f}s")
    load["LOAD CSV"] = (load["LOAD CSV"][0], loadavg())

    samples = [naive_sample(driver, db, world, args.naive_rows, 1, "before the loader, on the LOAD CSV graph")]

    log("empty database; loader")
    driver = fresh(driver, settings, args.fresh_server)
    load["loader"] = (loadavg(), "")
    rec, loader_wall, rss = run_loader(world, args.cache / f"report-{args.scale}", args.batch_size)
    load["loader"] = (load["loader"][0], loadavg())
    loader = {f["stream"]: f for f in rec["files"]}
    log(f"loader {loader_wall:.0f}s, peak RSS {rss:.0f} MiB")

    for k in range(2, args.naive_samples + 1):
        where = "just after the loader" if k == 2 else "after that"
        samples.append(naive_sample(driver, db, world, args.naive_rows, k, where + ", on the loader's graph"))
    driver = fresh(driver, settings, args.fresh_server)
    driver.close()
    finished = dt.datetime.now()

    m = machine()
    lines = [
        f"# Load benchmark ({args.scale} world)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} by `bench/load_bench.py`. Machine: {m['nproc']} cores ({m['cpu']}), "
        f"{m['ram_gib']} GiB RAM, Python {m['python']}; Neo4j {info.agent} Community from `scripts/neo4j-local` "
        f"(heap {conf.get('server.memory.heap.max_size')}, page cache {conf.get('server.memory.pagecache.size')}) "
        "on the same machine.",
        "",
        "Command:",
        "",
        "```",
        'eval "$(scripts/neo4j-local env)"',
        f"python bench/load_bench.py --scale {args.scale} --seed {args.seed} --batch-size {args.batch_size} "
        f"--naive-rows {args.naive_rows} --naive-samples {args.naive_samples}" + (f" --world {args.world}" if args.world else "")
        + (f" --fresh-server {args.fresh_server}" if args.fresh_server else ""),
        "```",
        "",
        "- loader: `livetrust load` in a child process into an empty database (schema applied), full "
        "validation and state checks included; rows/s = rows read / seconds for that file.",
        "- LOAD CSV: `LOAD CSV WITH HEADERS ... CALL (row) { MERGE ... } IN TRANSACTIONS OF "
        f"{args.batch_size} ROWS` on the same files into an empty database, no validation "
        "(`bench/load_csv_statements.py`).",
        f"- naive: one managed write transaction per row with the loader's plain MERGE statements "
        f"(`queries/load/write_*.cypher`, never its CREATE ones, plus the loader's follow-up for merged rows: "
        f"CARRIES, the order's return totals), over the first {args.naive_rows} rows of each file with keys "
        f"no sample used, on top of a full graph (extrapolated to rows/s). {len(samples)} samples per stream: "
        "sample 1 just before the loader phase on the LOAD CSV graph, samples 2.. just after it on the "
        "loader's graph. loader / naive uses the MEDIAN sample; min-max is the ratio against the slowest "
        "and the fastest sample.",
        "- each phase starts from an empty store" + (" (private server restarted on a new data folder)."
                                                     if args.fresh_server else " (graph deleted)."),
        "- load average (1 min) at start -> end of each phase: "
        + "; ".join(f"{k} {a} -> {b}" for k, (a, b) in load.items())
        + "; " + "; ".join(f"naive {x['k']} ({x['at']}) {x['load'][0]} -> {x['load'][1]}" for x in samples) + ".",
        f"- run from {started:%H:%M:%S} to {finished:%H:%M:%S}.",
        "",
        "| file | rows | loader rows/s | LOAD CSV rows/s | loader / LOAD CSV | naive rows/s per sample | "
        "naive median | loader / naive (median) | min-max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    tot_rows = tot_l = tot_c = 0.0
    for s in LOAD_ORDER:
        n = rows[s]
        l_sec = loader[s]["seconds"]
        lr = n / l_sec if l_sec else float("nan")
        cr = n / lc[s] if lc[s] else float("nan")
        rates = [x["rate"][s] for x in samples]
        med = float(np.median(rates))
        tot_rows += n
        tot_l += l_sec
        tot_c += lc[s]
        lines.append(f"| {s}.csv | {n:,} | {lr:,.0f} | {cr:,.0f} | {lr / cr:.2f}x | "
                     + " / ".join(f"{r:,.0f}" for r in rates)
                     + f" | {med:,.0f} | {lr / med:.0f}x | {lr / max(rates):.0f}-{lr / min(rates):.0f}x |")
    lines.append(f"| **all** | {int(tot_rows):,} | {tot_rows / tot_l:,.0f} | {tot_rows / tot_c:,.0f} | "
                 f"{(tot_rows / tot_l) / (tot_rows / tot_c):.2f}x | | | | |")
    lines += [
        "",
        f"Loader wall time {loader_wall:,.0f} s for {int(tot_rows):,} rows (including start-up, schema and "
        f"the pending retry); **peak RSS of the loader process {rss:,.0f} MiB**.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
