"""The demotion rule's streamer flags and the consumer -> streamer lists, before and after a
change of the burst tests, on evaluate's training part of a world (last 30 days hidden).

    python bench/burst_day_factor.py prep WORLD CONTEXT.pkl      # read, split, fit: the slow part
    python bench/burst_day_factor.py flags CONTEXT.pkl WORLD/truth [N]

``prep`` pickles the training context as the installed code builds it (the *before*, when run
with the old code); ``flags`` recomputes the flags with the installed code (the *after*) and
counts honest, brushing and fraud streamers flagged (truth used only to count), then
compares NDCG@10 of livetrust's consumer -> streamer lists on both contexts and most
popular's, for N of the evaluated consumers (default all).
"""

from __future__ import annotations

import pickle
import sys
import time

import numpy as np
import pandas as pd


def prep(world: str, out: str) -> None:
    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend.context import Context
    from livetrust.graph.recommend.data import Graph, time_split
    from livetrust.graph.recommend.evaluate import Truth, new_follows
    from livetrust.graph.recommend.scores import scores_from_model

    t = time.perf_counter()
    split = time_split(Projection.from_folder(world), 30)
    g = Graph.build(split.train)
    ctx = Context.build(g, scores_from_model(split.train))
    users, relevant = new_follows(g, split, ~Truth.load(f"{world}/truth").fraud_consumers(g.consumers))
    with open(out, "wb") as f:
        pickle.dump({"ctx": ctx, "relevant": relevant, "users": users}, f, protocol=5)
    print(f"done in {time.perf_counter() - t:.0f} s; {len(users)} consumers followed someone new")


def flags(path: str, truth_dir: str, n: int | None) -> None:
    from livetrust.graph.recommend import MostPopular
    from livetrust.graph.recommend import metrics as M
    from livetrust.graph.recommend.bursts import burst_share, surprising_burst_lines
    from livetrust.graph.recommend.consumer_streamers import ConsumerStreamers
    from livetrust.graph.recommend.context import Context
    from livetrust.graph.recommend.scores import Demotion, flags_of

    with open(path, "rb") as f:
        d = pickle.load(f)
    before, rule = d["ctx"], Demotion()
    g = before.graph
    kind = pd.read_csv(f"{truth_dir}/streamers.csv").set_index("streamer_id").reindex(g.streamers)["fraud_kind"]
    honest, brushing = (kind == "none").to_numpy(), (kind == "brushing").to_numpy()
    fraud = ~honest
    share = burst_share(g, rule.burst_min_buyers, rule.burst_max_p)
    count = surprising_burst_lines(g, rule.surprise_min_buyers, rule.surprise_max_p)
    own = flags_of(before.scores.streamers, "streamer_id", g.streamers, rule)
    tests = {"share test": share >= rule.flag_burst, "count test": count >= rule.flag_surprising_lines}
    tests["the rule (with the trust row)"] = own | tests["share test"] | tests["count test"]
    for name, f in tests.items():
        print(f"{name:30s} honest {int((f & honest).sum())}, brushing {int((f & brushing).sum())} of "
              f"{int(brushing.sum())}, fraud {int((f & fraud).sum())} of {int(fraud.sum())}")
    print(f"largest honest burst share {share[honest].max():.4f}")
    print(f"before (the pickled context): flagged honest {int((before.s_flagged & honest).sum())}, "
          f"fraud {int((before.s_flagged & fraud).sum())}")
    users, relevant = d["users"], d["relevant"]
    pick = np.sort(np.random.default_rng(0).choice(len(users), min(n or len(users), len(users)), replace=False))
    for name, ctx in (("before", before), ("after", Context.build(g, before.scores))):
        rec, _ = ConsumerStreamers().fit(ctx).recommend(10, users[pick])
        print(f"consumer -> streamers, livetrust {name}: NDCG@10 {M.ranking_metrics(rec, relevant[pick], 10)['ndcg']:.4f}")
    rec, _ = MostPopular().fit(g.following).recommend(10, users[pick])
    print(f"consumer -> streamers, most popular: NDCG@10 {M.ranking_metrics(rec, relevant[pick], 10)['ndcg']:.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3])
    else:
        flags(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else None)
