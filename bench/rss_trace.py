"""Where a job's memory goes: RSS and the main thread's innermost project frames, every few seconds.

    python bench/rss_trace.py score WORLD     # Projection.from_folder, then TrustModel().fit
    python bench/rss_trace.py read WORLD      # only the read

Prints ``seconds  rss GB  file:function:line <- ...`` lines (project frames only) while the
job runs, then ``READ DONE`` / ``FIT DONE`` with seconds and RSS. Used to find the step that
took ``livetrust score --data`` on the l world out of memory (bench/results/score.md).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import traceback
from pathlib import Path

PROJECT = ("graph/", "loaders/", "livetrust/")


def rss_gb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1e6
    return float("nan")


def watch(main_thread: int, every: float, started: float) -> None:
    root = str(Path(__file__).resolve().parents[1]) + "/"
    while True:
        time.sleep(every)
        frame = sys._current_frames().get(main_thread)
        stack = [f"{f.f_code.co_filename.removeprefix(root)}:{f.f_code.co_name}:{line}"
                 for f, line in traceback.walk_stack(frame)] if frame else []
        inner = [s for s in stack if s.startswith(PROJECT)][:3]
        print(f"{time.time() - started:7.1f}s rss {rss_gb():6.2f} GB  {' <- '.join(inner)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("job", choices=("read", "score"))
    ap.add_argument("world", type=Path)
    ap.add_argument("--every", type=float, default=2.0, help="seconds between lines")
    args = ap.parse_args()
    started = time.time()
    threading.Thread(target=watch, args=(threading.get_ident(), args.every, started), daemon=True).start()

    from livetrust.graph.projection import Projection
    from livetrust.graph.trust.model import TrustModel

    projection = Projection.from_folder(args.world)
    print(f"READ DONE {time.time() - started:.1f} s, rss {rss_gb():.2f} GB", flush=True)
    if args.job == "score":
        TrustModel().fit(projection)
        print(f"FIT DONE {time.time() - started:.1f} s, rss {rss_gb():.2f} GB", flush=True)


if __name__ == "__main__":
    main()
