"""Side-by-side runs of one `livetrust` command under two installs (old code, new code).

Runs the command alternately with each install's `livetrust` under `/usr/bin/time -v`,
``--pairs`` times, each into its own output folder, and records wall time, peak RSS and
the sha256 of every file the run wrote (so identical results can be checked).

    python bench/cli_ab.py --old /work/venv-base/bin/livetrust --new livetrust --pairs 2 \\
        --out /tmp/ab --jsonl bench/results/recommend_stream.jsonl -- recommend --data /work/worlds/m

The command's ``--out DIR`` is added per run. Run it under the bench lock
(`flock /tmp/livetrust-bench.lock python bench/cli_ab.py ...`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from livetrust.files import sha256_of


def run_once(binary: str, args: list[str], out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", binary, *args, "--out", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{binary} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    files = {p.name: sha256_of(p) for p in sorted(out.iterdir()) if p.is_file() and not p.name.endswith("manifest.json")}
    return {"binary": binary, "args": args, "started": started, "load_avg_1m": round(load, 2), "wall_s": round(wall, 1),
            "peak_rss_mib": round(rss_kb / 1024), "files": files, "summary": proc.stdout.strip().splitlines()[:3]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="the old install's livetrust executable")
    ap.add_argument("--new", default="livetrust", help="the new install's livetrust executable")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True, help="parent of the runs' output folders")
    ap.add_argument("--jsonl", type=Path, help="append one JSON line per run")
    ap.add_argument("--label", default="", help="recorded with each run")
    ap.add_argument("args", nargs=argparse.REMAINDER, help="-- then the livetrust command and its arguments")
    opts = ap.parse_args()
    args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args
    results = []
    for pair in range(opts.pairs):
        for side, binary in (("old", opts.old), ("new", opts.new)):
            row = {"label": opts.label, "side": side, "pair": pair + 1,
                   **run_once(binary, args, opts.out / f"{side}-{pair + 1}")}
            results.append(row)
            print(f"{side} #{pair + 1}: {row['wall_s']} s, peak {row['peak_rss_mib']} MiB, load {row['load_avg_1m']}",
                  flush=True)
            if opts.jsonl:
                with open(opts.jsonl, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row, sort_keys=True) + "\n")
    same = all(r["files"] == results[0]["files"] for r in results)
    print("output files identical in every run" if same else "OUTPUT FILES DIFFER between runs")


if __name__ == "__main__":
    main()
