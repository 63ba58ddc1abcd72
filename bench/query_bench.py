"""Warm latency of the library's point-lookup queries on a loaded, scored world.

Prepare Neo4j first (the m world, every job run in Neo4j mode), e.g.::

    livetrust generate --out /work/.cache-m --scale m --seed 7
    livetrust load /work/.cache-m --quiet && livetrust score && livetrust paths && livetrust recommend

then::

    python bench/query_bench.py --out bench/results/query.md

Each query runs 3 times to warm up, then --repeat times per subject for --subjects
subjects picked at random (seeded) among those with data; the table reports the median
and 95th percentile of client-side wall time (driver round trip included).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from pathlib import Path

from livetrust.db import connect
from livetrust.queries.runner import get_query
from livetrust.settings import Neo4jSettings

SCORED_STREAMERS = ("MATCH (:JobRun {job: 'score', current: true})<-[:STREAMER_SCORE]-(s:Streamer) "
                    "RETURN s.streamer_id AS id ORDER BY id")
SUBJECTS = {
    "consumer_trusted_circle": ("consumer_id", "MATCH (c:Consumer)-[:TRUSTS]->() RETURN DISTINCT c.consumer_id AS id LIMIT 5000"),
    "streamer_audience": ("streamer_id", SCORED_STREAMERS),
    "streamer_return_trend": ("streamer_id", SCORED_STREAMERS),
    "top_streamers": ("category", "MATCH (s:Streamer) RETURN DISTINCT s.category AS id ORDER BY id"),
    "factory_channels": ("factory_id", "MATCH (f:Factory) RETURN f.factory_id AS id"),
    "consumer_recommendations": ("consumer_id", "MATCH (c:Consumer)-[:RECOMMENDED]->() RETURN DISTINCT c.consumer_id AS id LIMIT 5000"),
    "factory_recommendations": ("factory_id", "MATCH (f:Factory) RETURN f.factory_id AS id"),
}

# Queries keyed by a (factory, consumer) pair: random consumers with bonds x random factories
# (mostly pairs without a direct path, answered through a shared streamer).
PAIRS = {
    "trusted_path": ("MATCH (c:Consumer)-[:TRUSTS]->() WITH DISTINCT c LIMIT 5000 RETURN c.consumer_id AS id",
                     "MATCH (f:Factory) RETURN f.factory_id AS id"),
}

# The hardest subjects, timed apart: the streamers with the largest audiences and order books.
HUBS = {
    "streamer_audience": ("streamer_id", "MATCH (s:Streamer) RETURN s.streamer_id AS id, COUNT { (s)<-[:TRUSTS]-() } AS n "
                                         "ORDER BY n DESC LIMIT $k"),
    "streamer_return_trend": ("streamer_id", "MATCH (s:Streamer) RETURN s.streamer_id AS id, COUNT { (s)<-[:SOLD_BY]-() } AS n "
                                             "ORDER BY n DESC LIMIT $k"),
}


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
    return f"{platform.node()}: {cpu}, {len(open('/proc/cpuinfo').read().split('processor')) - 1} cores, {mem:.1f} GiB"


def timed(driver, database, cypher, params) -> float:
    start = time.perf_counter()
    driver.execute_query(cypher, params, database_=database, routing_="r")
    return (time.perf_counter() - start) * 1000


def uptime() -> str:
    import subprocess

    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.split("load average:")[-1].strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench/results/query.md"))
    ap.add_argument("--subjects", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--hubs", type=int, default=5, help="also time the K largest streamers apart")
    args = ap.parse_args()
    settings = Neo4jSettings.from_env()
    rng = random.Random(7)
    rows = []
    start_load, started = uptime(), time.strftime("%Y-%m-%d %H:%M")
    with connect(settings) as driver:
        counts = {label: driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n", database_=settings.database).records[0]["n"]
                  for label in ("Consumer", "Streamer", "Order", "Factory")}
        for name, (key, pick) in SUBJECTS.items():
            ids = [r["id"] for r in driver.execute_query(pick, database_=settings.database).records]
            chosen = rng.sample(ids, min(args.subjects, len(ids)))
            if not chosen:  # e.g. no recommend run written back yet
                rows.append((name, 0, float("nan"), float("nan")))
                continue
            query = get_query(name)
            for subject in chosen[:3]:
                timed(driver, settings.database, query.cypher, query.bind({key: subject}))
            times = sorted(timed(driver, settings.database, query.cypher, query.bind({key: s}))
                           for s in chosen for _ in range(args.repeat))
            rows.append((name, len(times), statistics.median(times), times[int(0.95 * (len(times) - 1))]))
        for name, (pick_c, pick_f) in PAIRS.items():
            consumers = [r["id"] for r in driver.execute_query(pick_c, database_=settings.database).records]
            factories = [r["id"] for r in driver.execute_query(pick_f, database_=settings.database).records]
            if not consumers or not factories:
                continue
            chosen = [(rng.choice(factories), c) for c in rng.sample(consumers, min(args.subjects, len(consumers)))]
            query = get_query(name)
            for f, c in chosen[:3]:
                timed(driver, settings.database, query.cypher, query.bind({"factory_id": f, "consumer_id": c}))
            times = sorted(timed(driver, settings.database, query.cypher, query.bind({"factory_id": f, "consumer_id": c}))
                           for f, c in chosen for _ in range(args.repeat))
            rows.append((f"{name} (random factory x consumer pairs)", len(times), statistics.median(times),
                         times[int(0.95 * (len(times) - 1))]))
        hub_notes = []
        for name, (key, pick) in HUBS.items():
            found = driver.execute_query(pick, k=args.hubs, database_=settings.database).records
            if not found:
                continue
            query = get_query(name)
            for r in found:
                timed(driver, settings.database, query.cypher, query.bind({key: r["id"]}))
            times = sorted(timed(driver, settings.database, query.cypher, query.bind({key: r["id"]}))
                           for r in found for _ in range(args.repeat))
            label = f"{name}, {len(found)} largest streamers"
            rows.append((label, len(times), statistics.median(times), times[int(0.95 * (len(times) - 1))]))
            hub_notes.append(f"{name}: " + ", ".join(f"{r['id']} ({r['n']:,})" for r in found))
    lines = [
        "# Point-lookup queries, warm", "",
        f"Machine: {machine()}; {started} UTC; load average at start `{start_load}`, at the end `{uptime()}`. "
        "Graph: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".",
        f"Command: `python bench/query_bench.py --subjects {args.subjects} --repeat {args.repeat} --hubs {args.hubs}` "
        "(see its docstring for how the graph was prepared).", "",
        "| query | runs | median ms | p95 ms | target |", "|---|---:|---:|---:|---|",
    ]
    lines += [f"| {n} | 0 | - | - | no subjects with data |" if k == 0 else
              f"| {n} | {k} | {m:.1f} | {p:.1f} | < 100 ms: {'met' if p < 100 else '**not met** (p95)'} |"
              for n, k, m, p in rows]
    if hub_notes:
        lines += ["", "Largest streamers timed apart (bonds for the audience, orders for the trend): "
                  + "; ".join(hub_notes) + "."]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
