"""Where a job's memory goes: RSS and the main thread's innermost project frames, every few seconds.

    python bench/rss_trace.py score WORLD     # Projection.from_folder, then TrustModel().fit
    python bench/rss_trace.py read WORLD      # only the read
    python bench/rss_trace.py paths WORLD     # read, score, then the steps of compute_paths and the files
    python bench/rss_trace.py read --neo4j    # the read from the Neo4j of NEO4J_URI (Projection.from_neo4j)
    python bench/rss_trace.py score --neo4j   # the same read, then TrustModel().fit

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
    ap.add_argument("job", choices=("read", "score", "paths"))
    ap.add_argument("--out", type=Path, help="paths: write the files here")
    ap.add_argument("world", type=Path, nargs="?", help="a contract folder (embedded read); not with --neo4j")
    ap.add_argument("--neo4j", action="store_true", help="read from the Neo4j of NEO4J_URI instead of a folder")
    ap.add_argument("--every", type=float, default=2.0, help="seconds between lines")
    args = ap.parse_args()
    started = time.time()
    threading.Thread(target=watch, args=(threading.get_ident(), args.every, started), daemon=True).start()

    from livetrust.graph.projection import Projection
    from livetrust.graph.trust.model import TrustModel

    if args.neo4j == (args.world is not None):
        ap.error("give either a WORLD folder or --neo4j")
    projection = read_neo4j() if args.neo4j else Projection.from_folder(args.world)
    print(f"READ DONE {time.time() - started:.1f} s, rss {rss_gb():.2f} GB", flush=True)
    if args.job == "score":
        TrustModel().fit(projection)
        print(f"FIT DONE {time.time() - started:.1f} s, rss {rss_gb():.2f} GB", flush=True)
    if args.job == "paths":
        paths_steps(projection, args.out, started)


def read_neo4j():
    from livetrust.db import connect
    from livetrust.graph.projection import Projection
    from livetrust.settings import Neo4jSettings

    settings = Neo4jSettings.from_env()
    with connect(settings) as driver:
        return Projection.from_neo4j(driver, settings.database)


def sizes(what: str, items: dict) -> None:
    """The largest frames, arrays and sparse matrices among ``items``, in GB."""
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    def nbytes(x) -> float:
        if isinstance(x, pd.DataFrame):
            return float(x.memory_usage(deep=True).sum())
        if isinstance(x, np.ndarray):
            return float(x.nbytes) * (8 if x.dtype == object else 1)  # rough: object arrays hold pointers to str
        if sp.issparse(x):
            return float(x.data.nbytes + x.indices.nbytes + x.indptr.nbytes)
        return 0.0

    found = sorted(((nbytes(v), k) for k, v in items.items()), reverse=True)
    print(f"{what}: " + ", ".join(f"{k} {b / 1e9:.2f}" for b, k in found if b > 1e7), flush=True)


def paths_steps(projection, out: Path | None, started: float) -> None:
    """The steps of ``compute_paths`` one by one, each followed by RSS and the peak so far."""
    import resource

    from livetrust.graph.paths import job
    from livetrust.graph.paths.inputs import trust_inputs_from_model

    def done(step: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"{step.upper()} DONE {time.time() - started:.1f} s, rss {rss_gb():.2f} GB, peak {peak:.2f} GB",
              flush=True)

    trust = trust_inputs_from_model(projection)
    done("fit")
    sizes("trust", {name: getattr(trust, name) for name in ("consumer_streamer", "streamers", "products", "factories")})
    index = job.build_index(projection, trust)
    done("index")
    sizes("index", vars(index))
    channels = job.factory_channels(index)
    done("channels")
    reach, bridge, timings = job._reach_and_bridges(index, 1000)
    print(f"reach and bridges: {timings}", flush=True)
    done("reach_and_bridges")
    demand = job.factory_demand(index)
    done("demand")
    if out is not None:
        result = job.PathsResult(channels, reach, demand, bridge, run_id=job.new_run_id())
        job.write_outputs(result, out)
        done("files")


if __name__ == "__main__":
    main()
