"""Embedded mode's read: a contract folder through the loaders' validation into the projection.

Every job's ``--data DIR`` pays this before its own work (``Projection.from_folder``:
``validate_folder`` in memory, then the projection's tables). One run per call, so that
two versions of the code can alternate side by side:

    python bench/embedded_read_bench.py --data /work/worlds/m --label new-1

Prints one JSON line: validation and projection seconds, rows read and accepted,
peak RSS (MiB, ``ru_maxrss``). Results of the runs behind the tables are appended to
``bench/results/embedded_read.jsonl`` with ``--record``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def commit_of(module_file: str) -> str:
    """The commit (and a dirty mark) of the code that was imported."""
    repo = Path(module_file).resolve().parents[1]
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return head + ("+dirty" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="contract folder (e.g. a generated world)")
    ap.add_argument("--label", default="", help="name of this run in the output")
    ap.add_argument("--record", action="store_true", help="append the result to bench/results/embedded_read.jsonl")
    args = ap.parse_args()

    from livetrust.graph.projection import Projection
    from livetrust.loaders import state as state_module
    from livetrust.loaders import validate_folder

    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t = time.perf_counter()
    validated = validate_folder(args.data)
    validate_s = time.perf_counter() - t
    t = time.perf_counter()
    projection = Projection.from_validated(validated)
    project_s = time.perf_counter() - t
    totals = validated.report.totals()
    result = {
        "label": args.label, "started_utc": started, "code": commit_of(state_module.__file__),
        "world": str(args.data), "validate_s": round(validate_s, 2), "projection_s": round(project_s, 2),
        "total_s": round(validate_s + project_s, 2), "rows_read": totals.read, "rows_loaded": totals.loaded,
        "orders": len(projection.orders), "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": platform.python_version(),
    }
    line = json.dumps(result)
    print(line, flush=True)
    if args.record:
        RESULTS.mkdir(exist_ok=True)
        with open(RESULTS / "embedded_read.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main()
