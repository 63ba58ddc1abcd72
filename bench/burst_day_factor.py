"""The demotion rule's streamer flags and the consumer -> streamer lists, before and after a
change of the burst tests, on evaluate's training part of a world (last 30 days hidden).

    python bench/burst_day_factor.py prep WORLD CONTEXT.pkl      # read, split, fit: the slow part
    python bench/burst_day_factor.py flags CONTEXT.pkl WORLD/truth [N]
    python bench/burst_day_factor.py whole WORLD

``prep`` pickles the training context as the installed code builds it (the *before*, when run
with the old code); ``flags`` recomputes the flags with the installed code (the *after*) and
counts honest, brushing and fraud streamers flagged (truth used only to count), then
compares NDCG@10 of livetrust's consumer -> streamer lists on both contexts and most
popular's, for N of the evaluated consumers (default all), and livetrust's with no demotion at
all (how much the flags cost the lists). ``whole`` counts the flags on all of a world's data, as ``livetrust recommend --data`` sees it, and
says why each flagged honest streamer is flagged.
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


def streamer_flags(ctx, kinds: np.ndarray) -> dict[str, np.ndarray]:
    """The rule's streamer flags by test, recomputed with the installed code, printed per truth kind."""
    from livetrust.graph.recommend.bursts import buyer_day_groups, burst_share, surprising_burst_lines
    from livetrust.graph.recommend.scores import Demotion, flags_of

    g, rule = ctx.graph, Demotion()
    groups = buyer_day_groups(g)
    share = burst_share(g, rule.burst_min_buyers, rule.burst_max_p, groups=groups)
    count = surprising_burst_lines(g, rule.surprise_min_buyers, rule.surprise_max_p, groups=groups)
    tests = {"trust row": flags_of(ctx.scores.streamers, "streamer_id", g.streamers, rule),
             "share test": share >= rule.flag_burst, "count test": count >= rule.flag_surprising_lines}
    tests["the rule"] = tests["trust row"] | tests["share test"] | tests["count test"]
    for name, f in tests.items():
        print(f"{name:10s} honest {int((f & (kinds == 'none')).sum())}, brushing {int((f & (kinds == 'brushing')).sum())} "
              f"of {int((kinds == 'brushing').sum())}, fake followers {int((f & (kinds == 'fake_followers')).sum())} of "
              f"{int((kinds == 'fake_followers').sum())}")
    print(f"largest honest burst share {share[kinds == 'none'].max():.4f}")
    return {**tests, "share": share, "count": count}


def kinds_of(streamers, truth_dir: str) -> np.ndarray:
    truth = pd.read_csv(f"{truth_dir}/streamers.csv").set_index("streamer_id")["fraud_kind"]
    return truth.reindex(streamers).fillna("none").to_numpy()


def flags(path: str, truth_dir: str, n: int | None) -> None:
    from livetrust.graph.recommend import MostPopular
    from livetrust.graph.recommend import metrics as M
    from livetrust.graph.recommend.consumer_streamers import ConsumerStreamers
    from livetrust.graph.recommend.context import Context

    with open(path, "rb") as f:
        d = pickle.load(f)
    before = d["ctx"]
    g = before.graph
    kinds = kinds_of(g.streamers, truth_dir)
    streamer_flags(before, kinds)
    honest = kinds == "none"
    print(f"before (the pickled context): flagged honest {int((before.s_flagged & honest).sum())}, "
          f"fraud {int((before.s_flagged & ~honest).sum())}")
    users, relevant = d["users"], d["relevant"]
    pick = np.sort(np.random.default_rng(0).choice(len(users), min(n or len(users), len(users)), replace=False))
    after = Context.build(g, before.scores)
    undemoted = Context.build(g, before.scores)
    undemoted.s_demotion = np.ones_like(undemoted.s_demotion)
    rec, _ = MostPopular().fit(g.following).recommend(10, users[pick])
    print(f"consumer -> streamers, most popular: NDCG@10 {M.ranking_metrics(rec, relevant[pick], 10)['ndcg']:.4f}; "
          f"of its {len(np.unique(rec[rec >= 0]))} streamers, demoted before: {int((before.s_demotion[np.unique(rec[rec >= 0])] < 1).sum())}")
    for name, ctx in (("before", before), ("after", after), ("with no streamer demoted", undemoted)):
        rec, _ = ConsumerStreamers().fit(ctx).recommend(10, users[pick])
        print(f"consumer -> streamers, livetrust {name}: NDCG@10 {M.ranking_metrics(rec, relevant[pick], 10)['ndcg']:.4f}")


def whole(world: str) -> None:
    from livetrust.graph.projection import Projection
    from livetrust.graph.recommend.context import Context
    from livetrust.graph.recommend.data import Graph
    from livetrust.graph.recommend.scores import scores_from_model

    projection = Projection.from_folder(world)
    ctx = Context.build(Graph.build(projection), scores_from_model(projection))
    kinds = kinds_of(ctx.graph.streamers, f"{world}/truth")
    tests = streamer_flags(ctx, kinds)
    streamers = ctx.scores.streamers.set_index("streamer_id").reindex(ctx.graph.streamers)
    for s in np.flatnonzero(tests["the rule"] & (kinds == "none")):
        row = streamers.iloc[s]
        print(f"  honest {ctx.graph.streamers[s]}: trust row {bool(tests['trust row'][s])} (integrity {row['integrity']:.3f}, "
              f"lockstep buyers {row['lockstep_buyers']}), burst share {tests['share'][s]:.4f}, "
              f"surprising lines {int(tests['count'][s])}")


if __name__ == "__main__":
    if sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "whole":
        whole(sys.argv[2])
    else:
        flags(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else None)
