"""livetrust's consumer -> products list under parameter variants, against followed_sellers.

Runs the evaluation's consumer -> products task (last 30 days hidden, k = 10, truth from WORLD/truth)
once per variant and prints livetrust's NDCG@10, fraud exposure and returned share, and its NDCG@10
difference from followed_sellers with the 95% interval (``evaluate``'s comparisons).

    python bench/consumer_products_variants.py /work/worlds/m \\
        '{"lapsed_weight": 0.3}' '{"lapsed_weight": 0.1}' '{"lapsed_weight": 0.0}'

Results: bench/results/recommend.md, "A lapsed bond weighs 0.1".
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from livetrust.graph.recommend import Truth, evaluate, load_projection


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path)
    ap.add_argument("variants", nargs="+", help="JSON objects of ConsumerProducts parameters ('{}': the defaults)")
    args = ap.parse_args()
    projection, truth = load_projection(args.world), Truth.load(args.world / "truth")
    print(f"== {args.world}", flush=True)
    for text in args.variants:
        variant = json.loads(text)
        start = time.perf_counter()
        ev = evaluate(projection, lists=("consumer_products",), baselines=("followed_sellers",), truth=truth,
                      params={"consumer_products": variant})
        ours = ev.table.set_index("method").loc["livetrust"]
        c = ev.comparisons.iloc[0]
        print(f"{json.dumps(variant):28s} ndcg {ours.ndcg:.4f}  fraud {ours.fraud_exposure:.5f}  "
              f"returned {ours.returned_share:.4f}  minus followed_sellers {c.ndcg_diff:+.4f} "
              f"[{c.ndcg_ci_low:+.4f}, {c.ndcg_ci_high:+.4f}]  {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
