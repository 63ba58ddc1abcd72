"""How the two brushing-burst tests of ``graph/recommend/bursts.py`` flag a generated world's streamers.

Reads the world through the loaders' validation (cached like ``recommend_bench.py --cache``), hides the
last 30 days as ``livetrust evaluate`` does, and counts, against the world's ``truth/streamers.csv`` (used
only to count), the streamers each test flags by fraud kind, and the smallest tail of a tested group
(>= ``surprise_min_buyers`` buyers) at honest and at brushing streamers, under the rule's own tail
(``Demotion.burst_dispersion``: the negative binomial since 57f8cb4; runs before it printed Poisson tails).

    python bench/burst_flags.py /work/worlds/m [/work/worlds/s7 ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402

from livetrust.graph.recommend.bursts import buyer_day_groups, burst_share, surprising_burst_lines, upper_tail  # noqa: E402
from livetrust.graph.recommend.data import Graph, time_split  # noqa: E402
from livetrust.graph.recommend.scores import Demotion  # noqa: E402


def smallest_tails(graph: Graph, kinds: np.ndarray, rule: Demotion) -> dict[str, str]:
    """Per fraud kind: the smallest tail P(K >= k) over the groups the count test examines."""
    g = buyer_day_groups(graph)
    tested = g.buyers >= rule.surprise_min_buyers
    tail = upper_tail(g.buyers, g.expected, rule.burst_dispersion)  # the pair's expected buyers that day (bursts.py)
    frame = pd.DataFrame({"kind": kinds[g.group_streamer][tested], "tail": tail[tested]})
    return {k: f"{v:.1e}" for k, v in frame.groupby("kind")["tail"].min().items()}


def main() -> None:
    rule = Demotion()
    print("| world | share test (>= 10%) | count test | either (the rule) | honest flagged | smallest tail, honest | smallest tail, brushing |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for world in map(Path, sys.argv[1:]):
        projection, _, _ = load(world, use_cache=True)
        graph = Graph.build(time_split(projection, 30).train)
        truth = pd.read_csv(world / "truth" / "streamers.csv").set_index("streamer_id").reindex(graph.streamers)
        kinds = truth["fraud_kind"].fillna("none").to_numpy()
        share = burst_share(graph, rule.burst_min_buyers, rule.burst_max_p,
                            dispersion=rule.burst_dispersion) >= rule.flag_burst
        count = surprising_burst_lines(graph, rule.surprise_min_buyers, rule.surprise_max_p,
                                       dispersion=rule.burst_dispersion) >= rule.flag_surprising_lines
        brushing = kinds == "brushing"
        tails = smallest_tails(graph, kinds, rule)
        print(f"| {world.name} | {int((share & brushing).sum())} of {int(brushing.sum())} brushing "
              f"| {int((count & brushing).sum())} | {int(((share | count) & brushing).sum())} "
              f"| {int(((share | count) & (kinds == 'none')).sum())} "
              f"| {tails.get('none', 'no group tested')} | {tails.get('brushing', 'no group tested')} |")
        missed = graph.streamers[brushing & ~share]
        print(f"  {world.name}: brushing streamers the share test misses: {', '.join(missed)}; the count test flags "
              f"{', '.join(graph.streamers[brushing & ~share & count]) or 'none'} of them", file=sys.stderr)


if __name__ == "__main__":
    main()
