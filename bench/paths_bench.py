"""Benchmark ``livetrust paths``: every factory's channels, reach, demand and bridges, and ``explain``.

On a generated world (default the ``m`` world in ``/work/.cache-m``; generate it with
``livetrust generate --out /work/.cache-m --scale m --seed 7`` if missing). Each repeat is
its own Python process so peak RSS is that run's alone. Timed separately:

- ``load``: ``Projection.from_folder`` (the loaders' validation; not part of the job's budget);
- ``trust``: the trust frames (``--trust synthetic``: random bonds for every follow or
  purchase pair, as in the parity tests; ``--trust model``: ``trust_inputs_from_model``);
- ``compute``: ``compute_paths`` = index + channels + best paths + reach (top 1000 per
  factory and kind) + bridges + demand, for all factories — the figure with the 60 s budget;
- ``write``: the four CSV files;
- ``explain``: ``explain(index, f, c, top=5)`` with evidence, for 10 reached pairs, 10 random
  pairs mostly without a direct path, and 4 adversarial pairs (1 s budget each).

    python bench/paths_bench.py                       # m world, 3 repeats, writes bench/results/paths.md
    python bench/paths_bench.py --world DIR --repeats 1 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "paths.md"
DEFAULT_WORLD = Path("/work/.cache-m")
CYPHER_HEADER = "## Benchmark: the path Cypher against Neo4j"

CHILD = r"""
import json, resource, sys, tempfile, time
import numpy as np, pandas as pd, psutil
from livetrust.graph.paths import TrustInputs, compute_paths, explain, write_outputs, trust_inputs_from_model
from livetrust.graph.projection import Projection

world, trust_kind, cache = sys.argv[1], sys.argv[2], sys.argv[3]
proc = psutil.Process()
out = {}
t = time.perf_counter()
import os, pickle
if os.path.exists(cache):
    with open(cache, "rb") as fh:
        p = pickle.load(fh)
    out["load_from"] = "pickle"
else:
    p = Projection.from_folder(world)
    with open(cache, "wb") as fh:
        pickle.dump(p, fh)
    out["load_from"] = "folder"
out["load_s"] = time.perf_counter() - t
t = time.perf_counter()
if trust_kind == "model":
    trust = trust_inputs_from_model(p)
else:
    rng = np.random.default_rng(11)
    pairs = pd.concat([p.follows[["consumer_id", "streamer_id"]], p.orders[["consumer_id", "streamer_id"]]])
    pairs = pairs.astype(str).drop_duplicates().reset_index(drop=True)
    pairs = pairs.assign(trust=rng.uniform(0.02, 1.0, len(pairs)), confidence=rng.uniform(0, 1, len(pairs)))
    trust = TrustInputs(
        pairs,
        p.streamers[["streamer_id"]].astype(str).assign(trust=lambda d: rng.uniform(0, 1, len(d))),
        p.products[["product_id"]].astype(str).assign(trust=lambda d: rng.uniform(0, 1, len(d))),
        p.factories[["factory_id"]].astype(str).assign(trust=lambda d: rng.uniform(0, 1, len(d))),
    )
out["trust_s"] = time.perf_counter() - t
out["bonds"] = len(trust.consumer_streamer)
out["rss_before_compute_mb"] = proc.memory_info().rss / 2**20
t = time.perf_counter()
result = compute_paths(p, trust, top_k=1000)
out["compute_s"] = time.perf_counter() - t
out["steps"] = result.timings
out["counts"] = result.counts()
out["rss_after_compute_mb"] = proc.memory_info().rss / 2**20
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    write_outputs(result, tmp, "csv")
    out["write_s"] = time.perf_counter() - t
index = result.index
from livetrust.graph.paths.co_audience import co_audience
t = time.perf_counter()
table = co_audience(index)
out["co_audience_s"] = time.perf_counter() - t
out["co_audience_entries"] = int(table["vias"].map(len).sum())
del table
reach = result.factory_reach
rng = np.random.default_rng(5)
reached = reach.sample(10, random_state=5)[["factory_id", "consumer_id"]].values.tolist()
seen = set(map(tuple, reach[["factory_id", "consumer_id"]].values.tolist()))
others = [[f, c] for f, c in zip(rng.choice(index.factory_ids, 200), rng.choice(index.consumer_ids, 200))
          if (f, c) not in seen][:10]
# adversarial pairs: the factories whose carriers hold the largest audiences, and the consumers
# with the largest two-step neighbourhood among those without a direct path to them
deg = np.diff(index.B.indptr).astype(float)
Kb = index.K.copy(); Kb.data[:] = 1
BTb = index.BT.copy(); BTb.data[:] = 1
load = BTb @ deg
hard = []
for f in np.argsort(-(Kb @ deg))[:2]:
    carriers = np.zeros(index.n_streamers); carriers[index.K.indices[index.K.indptr[f]:index.K.indptr[f + 1]]] = 1
    direct = (BTb @ carriers) > 0
    for c in np.argsort(-np.where(direct, -1, load))[:2]:
        hard.append([index.factory_ids[f], index.consumer_ids[c]])
times, kinds = [], []
for f, c in reached + others + hard:
    t = time.perf_counter()
    text = explain(index, f, c, top=5)
    times.append(time.perf_counter() - t)
    kinds.append("none" if text.startswith("no trusted path") else ("shared" if "shared-streamer" in text.splitlines()[1] else "direct"))
out["explain_s"] = times[: len(reached) + len(others)]
out["explain_hard_s"] = times[len(reached) + len(others):]
out["explain_kinds"] = kinds[: len(reached) + len(others)]
out["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["loadavg"] = os.getloadavg()[0]
print(json.dumps(out))
"""


def machine() -> dict[str, str]:
    model, mem = "unknown", "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
            break
    import networkx
    import numpy
    import pandas
    import scipy

    return {"nproc": str(os.cpu_count()), "cpu": model, "ram": mem, "python": platform.python_version(),
            "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__,
            "networkx": networkx.__version__}


def world_counts(world: Path) -> str:
    meta = world / "truth" / "world.json"
    if not meta.exists():
        return str(world)
    info = json.loads(meta.read_text())
    scale = info.get("scale") or info.get("params", {}).get("scale", "?")
    return f"{world} (scale {scale}, seed {info.get('seed', '?')})"


def render(m: dict, world: str, trust: str, runs: list[dict]) -> str:
    med = statistics.median
    steps = {k: med([r["steps"][k] for r in runs]) for k in runs[0]["steps"]}
    explain = [t for r in runs for t in r["explain_s"]]
    hard = [t for r in runs for t in r["explain_hard_s"]]
    kinds = runs[-1]["explain_kinds"]
    counts = runs[-1]["counts"]
    lines = [
        "## Benchmark: `livetrust paths`",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM (shared with other work); Python {m['python']}, "
        f"numpy {m['numpy']}, scipy {m['scipy']}, pandas {m['pandas']}, networkx {m['networkx']}.",
        "",
        f"World: {world}; {runs[-1]['bonds']:,d} bonds; trust frames: `{trust}`"
        + (" (random bonds for every follow or purchase pair, as in the parity test: the trust model was not"
           " available when this was measured; the path computation does not depend on the values)"
           if trust == "synthetic" else " (`trust_inputs_from_model`)") + ".",
        "",
        "Command: `python bench/paths_bench.py"
        + (f" --world {world.split(' ')[0]}" if world.split(' ')[0] != str(DEFAULT_WORLD) else "")
        + (f" --trust {trust}" if trust != "synthetic" else "")
        + f"` ({len(runs)} runs after a warm-up run, each its own process; medians). The job itself is "
        f"`livetrust paths --data {world.split(' ')[0]} --out OUT` (embedded) or `livetrust paths --out OUT` (Neo4j).",
        "",
        "| step | median | budget |",
        "| --- | ---: | ---: |",
        f"| load projection (`Projection.from_folder`, loaders' validation; once, in a warm-up run) | {runs[0]['folder_load_s']:.1f} s | |",
        f"| load the cached projection (pickle) | {med([r['load_s'] for r in runs]):.1f} s | |",
        f"| trust frames | {med([r['trust_s'] for r in runs]):.1f} s | |",
        f"| **compute all factories** (`compute_paths`) | **{med([r['compute_s'] for r in runs]):.1f} s** | 60 s |",
    ]
    for k, v in steps.items():
        lines.append(f"| &nbsp;&nbsp;{k} | {v:.2f} s | |")
    lines += [
        f"| write 4 CSV files | {med([r['write_s'] for r in runs]):.1f} s | |",
        f"| co-audience index for Neo4j explain (`co_audience`, {runs[-1]['co_audience_entries']:,d} entries; Neo4j mode only) "
        f"| {med([r['co_audience_s'] for r in runs]):.1f} s | |",
        f"| **explain one pair** (top 5 paths with evidence; {len(explain)} pair runs) | **median {med(explain) * 1000:.0f} ms, "
        f"max {max(explain) * 1000:.0f} ms** | 1 s |",
        f"| explain, adversarial pairs (hub consumers x factories with the largest carrier audiences, no direct path; "
        f"{len(hard)} pair runs) | median {med(hard) * 1000:.0f} ms, max {max(hard) * 1000:.0f} ms | 1 s |",
        f"| **peak RSS** of the whole process (cached projection + trust + compute + write + co-audience + explain) | **{max(r['rss_peak_mb'] for r in runs):,.0f} MB** | 4 GB |",
        f"| RSS before / after compute | {med([r['rss_before_compute_mb'] for r in runs]):,.0f} / "
        f"{med([r['rss_after_compute_mb'] for r in runs]):,.0f} MB | |",
        "",
        "Rows: " + ", ".join(f"{k} {v:,d}" for k, v in counts.items()) + " (reach: top 1000 per factory and kind).",
        f"Explained pairs: {kinds.count('direct')} with a direct path, {kinds.count('shared')} through a shared "
        f"streamer, {kinds.count('none')} without a path.",
        "",
        "All compute runs (s): " + ", ".join(f"{r['compute_s']:.1f}" for r in runs)
        + "; 1-minute load average at the end of each run: " + ", ".join(f"{r['loadavg']:.1f}" for r in runs)
        + f" (on {m['nproc']} cores: other work shares the machine).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trust", choices=("synthetic", "model"), default="synthetic")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if not (args.world / "truth" / "world.json").exists():
        sys.exit(f"no world at {args.world}: livetrust generate --out {args.world} --scale m --seed 7")
    runs = []
    with tempfile.TemporaryDirectory(prefix="lt-bench-paths-") as tmp:
        cache = str(Path(tmp) / "projection.pkl")
        for i in range(args.repeats + 1):  # run 0 loads the folder (and caches the projection), untimed otherwise
            res = subprocess.run([sys.executable, "-c", CHILD, str(args.world), args.trust, cache],
                                 capture_output=True, text=True)
            if res.returncode:
                sys.exit(res.stderr[-3000:])
            run = json.loads(res.stdout.strip().splitlines()[-1])
            if i == 0:
                folder_load = run["load_s"]
                print(f"warm-up: Projection.from_folder {folder_load:.1f} s, compute {run['compute_s']:.1f} s", flush=True)
                continue
            run["folder_load_s"] = folder_load
            runs.append(run)
            print(f"run {i}: load {run['load_s']:.1f} s, compute {run['compute_s']:.1f} s {run['steps']}, "
                  f"explain median {statistics.median(run['explain_s']) * 1000:.0f} ms max {max(run['explain_s']) * 1000:.0f} ms, "
                  f"peak RSS {run['rss_peak_mb']:.0f} MB", flush=True)
    text = render(machine(), world_counts(args.world), args.trust, runs)
    if args.no_write:
        print(text)
    else:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        old = RESULTS.read_text() if RESULTS.exists() else ""
        keep = old[old.index(CYPHER_HEADER):] if CYPHER_HEADER in old else ""  # paths_cypher_bench.py's section
        RESULTS.write_text(text + "\n" + ("\n" + keep if keep else ""))
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
