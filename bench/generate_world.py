"""Benchmark ``livetrust generate``: wall time, peak RSS and row counts per scale.

Each run is its own Python process (so peak RSS is that run's alone), writing into a
scratch folder that is deleted afterwards. Results go to
``bench/results/generate_world.md``.

    python bench/generate_world.py            # s x3, m x3, m variants x1, l x1
    python bench/generate_world.py --quick    # s x3, m x1 (no l)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "generate_world.md"

CHILD = r"""
import json, resource, sys, time
from livetrust.world import generate_world
kw = json.loads(sys.argv[1])
t0 = time.perf_counter()
s = generate_world(sys.argv[2], **kw)
took = time.perf_counter() - t0
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": took, "rss_mb": rss_kb / 1024, "counts": s.counts, "defects": s.defects}))
"""

RUNS = [
    # (label, kwargs, repeats)
    ("s", {"scale": "s"}, 3),
    ("m", {"scale": "m"}, 3),
    ("m parquet", {"scale": "m", "file_format": "parquet"}, 1),
    ("m jsonl", {"scale": "m", "file_format": "jsonl"}, 1),
    ("m corrupt 0.01, holdout 30", {"scale": "m", "corrupt": 0.01, "holdout_days": 30}, 1),
    ("l (10 part files)", {"scale": "l"}, 1),
]


def cli_command(kw: dict) -> str:
    parts = [f"livetrust generate --out OUT --scale {kw['scale']}"]
    if "file_format" in kw:
        parts.append(f"--format {kw['file_format']}")
    if kw.get("corrupt"):
        parts.append(f"--corrupt {kw['corrupt']}")
    if kw.get("holdout_days"):
        parts.append(f"--holdout-days {kw['holdout_days']}")
    return " ".join(parts)


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import numpy
    import pyarrow

    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "ram": mem,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pyarrow": pyarrow.__version__,
    }


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024 / 1024


def run_once(kw: dict, scratch: Path) -> dict:
    out = scratch / "world"
    if out.exists():
        shutil.rmtree(out)
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(kw), str(out)], capture_output=True, text=True, check=True)
    result = json.loads(res.stdout.strip().splitlines()[-1])
    result["size_mb"] = du_mb(out)
    shutil.rmtree(out)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="s x3 and m x1 only")
    ap.add_argument("--no-write", action="store_true", help="print, do not write the results file")
    args = ap.parse_args()
    runs = [("s", {"scale": "s"}, 3), ("m", {"scale": "m"}, 1)] if args.quick else RUNS
    rows = []
    with tempfile.TemporaryDirectory(prefix="lt-bench-world-") as tmp:
        scratch = Path(tmp)
        for label, kw, repeats in runs:
            kw = {"seed": 7, **kw}
            results = [run_once(kw, scratch) for _ in range(repeats)]
            times = [r["seconds"] for r in results]
            last = results[-1]
            main_counts = last["counts"]["main"]
            hold = last["counts"].get("holdout", {})
            row = {
                "label": label,
                "command": cli_command(kw),
                "runs": repeats,
                "median_s": statistics.median(times),
                "all_s": times,
                "rss_mb": max(r["rss_mb"] for r in results),
                "size_mb": last["size_mb"],
                "consumers": main_counts["consumers"],
                "follows": main_counts["follows"] + hold.get("follows", 0),
                "purchases": main_counts["purchases"] + hold.get("purchases", 0),
                "returns": main_counts["returns"] + hold.get("returns", 0),
                "defects": last["defects"],
            }
            rows.append(row)
            print(f"{label:<28} median {row['median_s']:7.1f} s  peak RSS {row['rss_mb']:7.0f} MB  "
                  f"purchases {row['purchases']:>11,d}  files {row['size_mb']:8.0f} MB", flush=True)
    text = render(machine(), rows)
    if args.no_write:
        print(text)
    else:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        print(f"wrote {RESULTS}")


GENERATE_SECTION = """\
## Generate a world

`livetrust generate` simulates a live-commerce platform with known truth: factories with a
latent quality, streamers with a latent honesty and heavy-tailed audiences, consumers whose
trust in the streamers they follow grows with good purchases and breaks after bad ones,
fake-follower and brushing-ring fraud, legitimate lucky-draw follow spikes and a promotion
calendar. It writes a contract folder (see `../shared/data-contract.md`) plus `truth/`,
which the loaders never read.

```bash
livetrust generate --out worlds/s --scale s --seed 7                 # ~100k events, < 1 s
livetrust generate --out worlds/m --scale m --format parquet         # ~1M purchases, seconds
livetrust generate --out worlds/t --scale xs --corrupt 0.02          # with recorded bad rows
livetrust generate --out worlds/h --scale s --holdout-days 30        # last 30 days -> worlds/h/holdout/
```

- Scales: `xs` ~10k events (unit tests), `s` ~100k, `m` ~1M purchases, `l` ~10M purchases
  written as `consumers/`, `follows/`, `purchases/`, `returns/` folders of part files
  (one per consumer shard; memory stays at one shard).
- `--parts N` splits consumers and events into N part files (default 10 for `l`, else 1).
- Same `--seed` and options, byte-identical files (csv, parquet or jsonl).
- `--corrupt RATE` inserts about RATE x rows bad rows into each file (missing values,
  malformed ids, timestamps and numbers, negative amounts, zero quantities, exact duplicates,
  conflicting keys, returns before their purchase or beyond its quantity, returns of unknown
  orders, purchases of unknown products). Clean rows are never altered: every row not
  listed in `truth/defects.csv` is valid.
- `truth/`: `streamers.csv` (honesty, fraud_kind none/fake_followers/brushing,
  fake_follower_count, ring_size, ring_id, ring_mode, lucky_draw_follows), `factories.csv`
  (quality), `products.csv` (quality), `consumers.csv` (is_fraud, fraud_kind, ring_id,
  serves_streamer_id, loyalty, price_sensitivity, activity), `defects.csv` (stream, file,
  row, key, defect, expected_outcome, reason -- one row per injected bad row, row numbers
  1-based among data rows of that file), `world.json` (parameters, counts, promotions).
- `--holdout-days D`: follows, purchases and returns dated in the last D days go to
  `OUT/holdout/` (entity files are copied there). A follow made before the cutoff and
  ended after it is open in the main folder, and `holdout/follows` sends it again with its
  `unfollowed_at`, as a platform's next export would: `livetrust load` ends the open follow, so
  the main folder and then `holdout/` loaded in turn give the whole world.
- From Python: `from livetrust.world import generate_world; generate_world("worlds/s", scale="s", seed=7)`.
"""


def render(m: dict, rows: list[dict]) -> str:
    out = [GENERATE_SECTION, "", "## Benchmark: world generation", ""]
    out.append(f"Machine: {m['nproc']} cores, {m['cpu']}, {m['ram']} RAM; Python {m['python']}, "
               f"numpy {m['numpy']}, pyarrow {m['pyarrow']}. Shared machine: other jobs may have run alongside.")
    out.append("")
    out.append("Produced by `python bench/generate_world.py` (each run a fresh process; wall time is the time spent in `generate_world`, without the ~0.5 s of interpreter start and imports; peak RSS is "
               "`ru_maxrss` of that process; seed 7; default span 180 days). Rows include holdout rows and injected bad rows.")
    out.append("")
    out.append("| run | command | runs | wall time (median) | all runs | peak RSS | files | consumers | follows | purchases | returns | defects |")
    out.append("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        all_s = ", ".join(f"{t:.1f}" for t in r["all_s"])
        out.append(
            f"| {r['label']} | `{r['command']}` | {r['runs']} | {r['median_s']:.1f} s | {all_s} | "
            f"{r['rss_mb']:,.0f} MB | {r['size_mb']:,.0f} MB | {r['consumers']:,d} | {r['follows']:,d} | "
            f"{r['purchases']:,d} | {r['returns']:,d} | {r['defects']:,d} |"
        )
    out.append("")
    out.append("Targets (issue #3): `m` under 120 s; `l` streamed (peak RSS well below the data size).")
    by = {r["label"]: r for r in rows}
    m_row = by.get("m")
    l_row = next((r for r in rows if r["label"].startswith("l")), None)
    if m_row and l_row:
        out.append("")
        out.append(
            f"`l` writes {l_row['purchases'] / m_row['purchases']:.1f}x the purchases of `m` "
            f"({l_row['size_mb']:,.0f} MB of files) with a peak RSS of {l_row['rss_mb']:,.0f} MB against "
            f"{m_row['rss_mb']:,.0f} MB for `m`: memory is bounded by one consumer shard, not by the world.")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
