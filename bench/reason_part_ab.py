"""Same-process A/B of the consumer -> streamers and factory -> streamers lists of all of m: the reason
part before 586a968 (one label, 'demoted: fraud-flagged', for every flagged streamer) against the one
that names the cause (``object_part`` over ``Context.s_flag_causes``). Three alternating rounds.

    flock /tmp/livetrust-bench.lock python bench/reason_part_ab.py
"""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402
from livetrust.graph.recommend import common  # noqa: E402
from livetrust.graph.recommend import consumer_streamers as CS  # noqa: E402
from livetrust.graph.recommend import factory_streamers as FS  # noqa: E402
from livetrust.graph.recommend import run as R  # noqa: E402
from livetrust.graph.recommend.scores import scores_from_model  # noqa: E402



def old_part(per_object, obj, template):
    """The part before 586a968: one label for every flagged streamer."""
    return common.flag((np.asarray(per_object, dtype=object) != "")[obj], "demoted: fraud-flagged")


def main() -> None:
    projection, _, _ = load(Path("/work/worlds/m"), True)
    scores = scores_from_model(projection)
    for round_ in range(3):
        for name, make_part in (("old", old_part), ("new", common.object_part)):
            CS.object_part = FS.object_part = make_part
            t = time.perf_counter()
            res = R.recommend(projection, scores, top=20, lists=["consumer_streamers", "factory_streamers"], run_id="ab")
            took = time.perf_counter() - t
            flagged = {n: int(f["reason"].astype(str).str.contains("fraud-flagged").sum()) for n, f in res.lists.items()}
            rows = {n: len(f) for n, f in res.lists.items()}
            print(f"round {round_} {name}: {took:.1f} s, rows {rows}, rows with a flagged streamer {flagged}", flush=True)


if __name__ == "__main__":
    main()
