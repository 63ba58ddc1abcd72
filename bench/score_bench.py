"""Speed of the scoring job's compute part, and of its propagation step next to networkx.

    python bench/score_bench.py [--scale m] [--seed 7] [--repeat 3] [--out bench/results/score.md]

Measures, on a generated world (cached under bench/.cache/):

- reading the folder through the loaders (``Projection.from_folder``) -- reported,
  not part of the compute budget;
- ``TrustModel().fit`` (the compute part: every score), median of ``--repeat`` runs,
  with its steps;
- writing the four files and the manifest (CSV and Parquet);
- the propagation step (personalised PageRank / TrustRank from credible consumers over
  the consumer-streamer engagement graph) with ``livetrust.graph.trust.eigentrust``
  and with ``networkx.pagerank`` on the same graph, same damping, same teleport vector,
  to the same accuracy; the networkx graph is built beforehand and not timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_common import REPO, ensure_world, load_projection  # noqa: E402

from livetrust.graph.trust import TrustModel  # noqa: E402
from livetrust.graph.trust.credibility import CredibilityParams, consumer_credibility  # noqa: E402
from livetrust.graph.trust.eigentrust import propagate  # noqa: E402
from livetrust.graph.trust.evidence import build_evidence  # noqa: E402
from livetrust.graph.trust.integrity import engagement_graph  # noqa: E402
from livetrust.graph.trust.job import ScoreRun, new_run_id, write_files  # noqa: E402


def rss_gb() -> float:
    return psutil.Process().memory_info().rss / 1e9


def peak_rss_gb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux


def bench_propagation(p, alphas: tuple[float, ...], tol: float) -> list[dict]:
    ev = build_evidence(p, TrustModel().params.half_life_days)
    cred = consumer_credibility(ev, CredibilityParams()).credibility
    C, S = ev.n_consumers, ev.n_streamers
    g = engagement_graph(ev)
    engaged = np.asarray(g.sum(axis=1)).ravel() > 0
    teleport = np.zeros(C + S)
    teleport[:C] = np.where(engaged[:C], cred, 0.0)
    teleport /= teleport.sum()
    n = g.shape[0]

    t0 = time.perf_counter()
    coo = g.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    t_build = time.perf_counter() - t0
    personalization = {int(i): float(teleport[i]) for i in np.flatnonzero(teleport)}
    print("networkx graph built", round(t_build, 1), flush=True)
    out = []
    for alpha in alphas:
        t0 = time.perf_counter()
        ours = propagate(g, teleport, alpha=alpha, tol=tol, max_iter=1000)
        t_ours = time.perf_counter() - t0
        # networkx stops when the L1 change is below n * tol: n * (tol / n) is the same criterion as ours
        t0 = time.perf_counter()
        ref = nx.pagerank(G, alpha=alpha, personalization=personalization, weight="weight", tol=tol / n, max_iter=1000)
        t_nx = time.perf_counter() - t0
        t0 = time.perf_counter()
        nx.pagerank(G, alpha=alpha, personalization=personalization, weight="weight")
        t_nx_default = time.perf_counter() - t0
        ref_vec = np.array([ref[i] for i in range(n)])
        out.append({
            "nodes": n, "edges": int(g.nnz), "alpha": alpha, "tol": tol,
            "ours_s": t_ours, "ours_iterations": ours.iterations,
            "nx_s": t_nx, "nx_default_tol_s": t_nx_default, "nx_graph_build_s": t_build,
            "speedup": t_nx / t_ours, "speedup_default_tol": t_nx_default / t_ours,
            "max_abs_diff": float(np.max(np.abs(ref_vec - ours.scores))),
        })
        print("propagation", out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="m")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "score.md")
    args = ap.parse_args()

    world = ensure_world(args.scale, args.seed, 0)
    t0 = time.perf_counter()
    p = load_projection(world)
    t_read = time.perf_counter() - t0
    counts = {k: len(v) for k, v in p.tables().items()}
    print("read", round(t_read, 1), counts, flush=True)

    times, steps = [], []
    model = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        model = TrustModel().fit(p)
        times.append(time.perf_counter() - t0)
        steps.append(model.timings_)
    print("compute", [round(t, 2) for t in times], flush=True)
    after_fit, peak = rss_gb(), peak_rss_gb()

    writes = {}
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / ".cache") as tmp:
        for fmt in ("csv", "parquet"):
            run = ScoreRun(run_id=new_run_id(), started_at=__import__("datetime").datetime.now(
                __import__("datetime").timezone.utc), parameters=model.get_params(), source=str(world))
            t0 = time.perf_counter()
            doc = write_files(model, Path(tmp) / fmt, fmt, run)
            writes[fmt] = (time.perf_counter() - t0, sum(os.path.getsize(Path(tmp) / fmt / e["file"])
                                                         for e in doc["outputs"].values()))
    print("write", writes, flush=True)

    props = bench_propagation(p, (TrustModel().params.propagation_alpha, 0.85), tol=1e-10)

    med = statistics.median(times)
    step_names = list(steps[0])
    step_med = {k: statistics.median(s[k] for s in steps) for k in step_names}
    cpu = platform.processor() or platform.machine()
    md = [
        f"# Scoring job benchmark ({args.scale} world)\n\n",
        f"`python bench/score_bench.py --scale {args.scale} --seed {args.seed} --repeat {args.repeat}` on "
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GB RAM, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; a shared machine, so expect some noise.\n\n",
        "World: " + ", ".join(f"{k} {v:,d}" for k, v in counts.items()) + ".\n\n",
        "| step | seconds | target |\n|---|---|---|\n",
        f"| read the folder through the loaders (`Projection.from_folder`) | {t_read:.1f} | (not compute) |\n",
        f"| **compute: `TrustModel().fit`, median of {args.repeat}** | **{med:.2f}** | < 20 |\n",
    ]
    md += [f"| &nbsp;&nbsp;{k} | {v:.2f} | |\n" for k, v in step_med.items()]
    md += [f"| write 4 files + manifest, {fmt} ({size / 1e6:.0f} MB) | {sec:.1f} | |\n" for fmt, (sec, size) in writes.items()]
    md += [f"\nResident memory after fitting: {after_fit:.1f} GB (peak of the process so far, loading included: "
           f"{peak:.1f} GB).\n\n",
           "## Propagation step vs networkx.pagerank, same graph\n\n",
           "Personalised PageRank over the consumer-streamer engagement graph (both directions), teleport on "
           "credible consumers (the TrustRank / EigenTrust pre-trusted set). Both stop at an L1 change below "
           "1e-10 (networkx: `tol=1e-10 / n`, since it tests `err < n * tol`); networkx's graph is built "
           "beforehand and not timed (its build time is in the last column); ours includes row-normalising the "
           "CSR graph into the transition matrix.\n\n",
           "| damping | nodes | edges | ours (s) | iterations | networkx (s) | speedup | networkx, default tol (s) | "
           "speedup vs default tol | max abs diff | networkx graph build (s) |\n|---|---|---|---|---|---|---|---|---|---|---|\n"]
    for r in props:
        md.append(f"| {r['alpha']} | {r['nodes']:,d} | {r['edges']:,d} | {r['ours_s']:.2f} | {r['ours_iterations']} | "
                  f"{r['nx_s']:.1f} | **{r['speedup']:.0f}x** | {r['nx_default_tol_s']:.1f} | "
                  f"{r['speedup_default_tol']:.0f}x | {r['max_abs_diff']:.1e} | {r['nx_graph_build_s']:.0f} |\n")
    md.append(f"\nDamping {TrustModel().params.propagation_alpha} is the model's default (a local walk); "
              "0.85 is PageRank's classic value, shown for comparison.\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(md))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
