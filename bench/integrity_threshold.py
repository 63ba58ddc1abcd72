"""The demotion rule's integrity threshold: streamers' integrity by truth kind, and the rule's
flags at several thresholds (the other tests unchanged), on a pickled evaluation context
(``burst_day_factor.py prep``: training part) or on all of a world's data (as
``livetrust recommend --data`` sees it). Truth is used only to count.

    python bench/integrity_threshold.py context CONTEXT.pkl WORLD/truth
    python bench/integrity_threshold.py whole WORLD
    python bench/integrity_threshold.py lists WORLD OLD NEW   # recommend() on all of WORLD at two thresholds
"""

from __future__ import annotations

import pickle
import sys

import numpy as np

from burst_day_factor import kinds_of, streamer_flags

THRESHOLDS = (0.9, 0.8, 0.7, 0.6, 0.5)


def sweep(ctx, kinds: np.ndarray) -> None:
    from livetrust.graph.recommend.scores import Demotion

    tests = streamer_flags(ctx, kinds)
    streamers = ctx.scores.streamers.set_index("streamer_id").reindex(ctx.graph.streamers)
    integrity = streamers["integrity"].to_numpy()
    for kind in ("none", "brushing", "fake_followers"):
        q = np.quantile(integrity[kinds == kind], [0, 0.01, 0.5, 0.99, 1])
        print(f"integrity of {kind:14s} min {q[0]:.3f}, 1% {q[1]:.3f}, median {q[2]:.3f}, 99% {q[3]:.3f}, max {q[4]:.3f}")
    current = Demotion().flag_integrity
    bursts = tests["share test"] | tests["count test"]
    rest = tests["trust row"] & ~(integrity < current)  # the trust row's other reasons
    for threshold in THRESHOLDS:
        rule = (integrity < threshold) | bursts | rest
        mark = " (the rule's)" if threshold == current else ""
        print(f"integrity < {threshold}{mark}: honest {int((rule & (kinds == 'none')).sum())}, brushing "
              f"{int((rule & (kinds == 'brushing')).sum())}, fake followers {int((rule & (kinds == 'fake_followers')).sum())}; "
              f"by integrity alone {int(((integrity < threshold) & ~bursts & ~rest).sum())}")


def lists(world: str, old: float, new: float, named: tuple[str, ...] = ("s0999", "s1627", "s2145")) -> None:
    """What changes in ``recommend()``'s lists (top 20) on all of ``world`` between two thresholds."""
    import pandas as pd

    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend.run import recommend
    from livetrust.graph.recommend.scores import Demotion, scores_from_model

    projection = Projection.from_folder(world)
    scores = scores_from_model(projection)
    kinds = pd.Series(kinds_of(scores.streamers["streamer_id"], f"{world}/truth"), index=scores.streamers["streamer_id"])
    made = {t: recommend(projection, scores, top=20, demotion=Demotion(flag_integrity=t), run_id="ab").lists
            for t in (old, new)}
    for name, before in made[old].items():
        after = made[new][name]
        line = f"{name}: rows {len(before)} / {len(after)}, identical {before.equals(after)}"
        if "demotion" in before.columns and not before.equals(after):
            line += f", mean demotion {before['demotion'].mean():.4f} -> {after['demotion'].mean():.4f}"
        if name == "consumer_streamers":
            for t in (old, new):
                objects = made[t][name]["object_id"]
                line += (f"; at {t}: rows of fraud streamers {int((kinds.reindex(objects).to_numpy() != 'none').sum())}, "
                         f"rows of {'/'.join(named)} {int(objects.isin(named).sum())}")
        print(line)


def main() -> None:
    if sys.argv[1] == "context":
        with open(sys.argv[2], "rb") as f:
            ctx = pickle.load(f)["ctx"]
        sweep(ctx, kinds_of(ctx.graph.streamers, sys.argv[3]))
    elif sys.argv[1] == "lists":
        lists(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        from livetrust.graph.projection import Projection
        from livetrust.graph.recommend.context import Context
        from livetrust.graph.recommend.data import Graph
        from livetrust.graph.recommend.scores import scores_from_model

        projection = Projection.from_folder(sys.argv[2])
        ctx = Context.build(Graph.build(projection), scores_from_model(projection))
        sweep(ctx, kinds_of(ctx.graph.streamers, f"{sys.argv[2]}/truth"))


if __name__ == "__main__":
    main()
