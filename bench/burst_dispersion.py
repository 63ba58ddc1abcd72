"""The demotion rule's burst tests under a Poisson and a negative binomial tail, and its lockstep
test by count and by share of buyers, counted by the truth's fraud kind on a generated world.

Two false flags of honest streamers on the whole ``l`` world led here (``bursts.py``, ``scores.py``):
an honest best seller that outran its streamer's day factor on the 618 promotion day (a Poisson
tail of 1.3e-12 for 1.31 times the expected buyers), and the most bought honest streamer with
3 lockstep buyers among 343,704. For each part of each world (``whole``: what ``livetrust
recommend --data`` reads; ``train``: what ``livetrust evaluate`` fits on, the last 30 days
hidden) it prints:

- per dispersion (None = Poisson, then 100, 50 = the default, 20): the streamers the count test,
  the share test and either flags, by kind, and the smallest tail of a tested group (at least
  ``surprise_min_buyers`` buyers) at an honest streamer;
- the lockstep buyers per streamer (buyers with 2+ lockstep partners, as ``graph/trust/streamers.py``
  counts them, from ``lockstep_partners`` on the same orders): the streamers at least
  ``flag_lockstep`` flag, by kind, alone and with each share of buyers, and the smallest share of a
  brushing streamer's buyers.

Truth is used only to count. Reads the world through the loaders' validation, cached like
``recommend_bench.py --cache``.

    python bench/burst_dispersion.py /work/worlds/m [/work/worlds/l ...]
    python bench/burst_dispersion.py --context CONTEXT.pkl WORLD/truth

``--context`` takes a training context pickled by ``bench/burst_day_factor.py prep`` and compares the
rule's streamer flags with the Poisson tail and the count-only lockstep test (``Demotion(
burst_dispersion=None, flag_lockstep_share=0)``, the rule before) against the default rule: when the
sets are equal, ``livetrust evaluate``'s lists on that world are unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402

from livetrust.graph._arrays import unique  # noqa: E402
from livetrust.graph.recommend.bursts import buyer_day_groups, burst_share, surprising_burst_lines, upper_tail  # noqa: E402
from livetrust.graph.recommend.data import Graph, time_split  # noqa: E402
from livetrust.graph.recommend.scores import Demotion  # noqa: E402
from livetrust.graph.trust.lockstep import lockstep_partners  # noqa: E402
from burst_day_factor import kinds_of  # noqa: E402

DISPERSIONS = (None, 100.0, 50.0, 20.0)
LOCKSTEP_SHARES = (0.0, 0.0005, 0.001, 0.002, 0.005)


def by_kind(flags: np.ndarray, kinds: np.ndarray) -> str:
    return ", ".join(f"{kind} {int((flags & (kinds == kind)).sum())}/{int((kinds == kind).sum())}"
                     for kind in ("none", "brushing", "fake_followers"))


def burst_rows(graph: Graph, kinds: np.ndarray, rule: Demotion) -> None:
    groups = buyer_day_groups(graph)
    tested = groups.buyers >= rule.surprise_min_buyers
    honest_group = kinds[groups.group_streamer] == "none"
    for r in DISPERSIONS:
        count = surprising_burst_lines(graph, rule.surprise_min_buyers, rule.surprise_max_p, dispersion=r,
                                       groups=groups) >= rule.flag_surprising_lines
        share = burst_share(graph, rule.burst_min_buyers, rule.burst_max_p, dispersion=r, groups=groups) >= rule.flag_burst
        tail = upper_tail(groups.buyers[tested & honest_group], groups.expected[tested & honest_group], r)
        smallest = f"{tail.min():.1e}" if len(tail) else "none tested"
        print(f"  dispersion {r}: count test {by_kind(count, kinds)} | share test {by_kind(share, kinds)} | "
              f"either {by_kind(count | share, kinds)} | smallest honest tail {smallest}")
    if (tested & honest_group).any():  # the honest group nearest to a flag, as the Poisson sees it
        g = np.flatnonzero(tested & honest_group)[np.argmin(upper_tail(groups.buyers[tested & honest_group],
                                                                       groups.expected[tested & honest_group], None))]
        print(f"  honest group with the smallest Poisson tail: {graph.streamers[groups.group_streamer[g]]}, "
              f"{groups.buyers[g]} buyers against {groups.expected[g]:.1f} expected")


def lockstep_rows(graph: Graph, kinds: np.ndarray, rule: Demotion) -> None:
    c, s, d = graph.o_consumer, graph.o_streamer, graph.o_day
    ok = (c >= 0) & (s >= 0)
    c, s, d = c[ok].astype(np.int64), s[ok].astype(np.int64), d[ok]
    n_s = graph.n_streamers
    found = lockstep_partners(c, s, d, n_s)
    partners = np.zeros(graph.n_consumers, np.int64)
    np.maximum.at(partners, found.consumer, found.partners)  # a consumer's most suspicious bond, as credibility.py
    bond = unique(c * n_s + s)
    buyers = np.bincount(bond % n_s, minlength=n_s)
    lockstep = np.bincount(bond % n_s, weights=(partners[bond // n_s] >= 2), minlength=n_s)
    share = np.divide(lockstep, buyers, out=np.zeros(n_s), where=buyers > 0)
    for least in LOCKSTEP_SHARES:
        flags = (lockstep >= rule.flag_lockstep) & (share >= least)
        print(f"  lockstep >= {rule.flag_lockstep:g} and >= {least:.2%} of buyers: {by_kind(flags, kinds)}")
    at_threshold = lockstep >= rule.flag_lockstep
    sellers_per_buyer = np.bincount(bond // n_s, minlength=graph.n_consumers)
    for st in np.flatnonzero(at_threshold & (kinds == "none")):
        who = (bond % n_s == st) & (partners[bond // n_s] >= 2)
        print(f"  honest {graph.streamers[st]}: {int(lockstep[st])} lockstep buyers of {int(buyers[st]):,}; they buy at "
              f"{sorted((sellers_per_buyer[bond[who] // n_s] - 1).tolist())} other streamers")
    for kind in ("none", "brushing"):
        sel = at_threshold & (kinds == kind)
        if sel.any():
            print(f"  {kind} with lockstep >= {rule.flag_lockstep:g}: share of buyers {share[sel].min():.4%} to "
                  f"{share[sel].max():.4%}; buyers up to {int(buyers[sel].max()):,}")


def main() -> None:
    rule = Demotion()
    for world in map(Path, sys.argv[1:]):
        projection, _, _ = load(world, use_cache=True)
        for part, proj in (("whole", projection), ("train", time_split(projection, 30).train)):
            graph = Graph.build(proj)
            kinds = kinds_of(graph.streamers, str(world / "truth"))
            print(f"{world.name}, {part} ({len(graph.o_day):,} order lines):", flush=True)
            burst_rows(graph, kinds, rule)
            lockstep_rows(graph, kinds, rule)
            sys.stdout.flush()


def compare_context(path: str, truth_dir: str) -> None:
    import pickle

    from livetrust.graph.recommend.context import Context

    with open(path, "rb") as fh:
        ctx = pickle.load(fh)["ctx"]
    graph = ctx.graph
    kinds = kinds_of(graph.streamers, truth_dir)
    before = Context.build(graph, ctx.scores, Demotion(burst_dispersion=None, flag_lockstep_share=0.0)).s_flagged
    after = Context.build(graph, ctx.scores, Demotion()).s_flagged
    print(f"{path}: rule before {by_kind(before, kinds)}; now {by_kind(after, kinds)}; "
          f"same set: {bool((before == after).all())}")


if __name__ == "__main__":
    if sys.argv[1] == "--context":
        compare_context(sys.argv[2], sys.argv[3])
    else:
        main()
