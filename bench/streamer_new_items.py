"""What is new to a streamer in the hidden days, and how much of it comes from a factory it already carries.

The streamer -> products evaluation (``livetrust evaluate``) scores the products a streamer sold for the
first time in the last ``--holdout-days``. In generated worlds a streamer's catalogue is fixed when the
world is made, so those are mostly unsold items of factories it already carries; this counts them with
the evaluation's own split (bench/results/recommend.md, "The streamer lists").

    python bench/streamer_new_items.py /work/worlds/m --holdout-days 30
"""

from __future__ import annotations

import argparse
from pathlib import Path

from livetrust.graph.projection import Projection
from livetrust.graph.recommend import time_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("world", type=Path)
    ap.add_argument("--holdout-days", type=float, default=30)
    opts = ap.parse_args()
    split = time_split(Projection.from_folder(opts.world), opts.holdout_days)
    factory = split.train.products.drop_duplicates("product_id").set_index("product_id")["factory_id"]
    train = split.train.orders.assign(factory_id=lambda o: o["product_id"].map(factory))
    test = split.test_orders.assign(factory_id=lambda o: o["product_id"].map(factory))
    sold = set(zip(train["streamer_id"], train["product_id"]))
    carried = set(zip(train["streamer_id"], train["factory_id"]))
    pairs = test.drop_duplicates(["streamer_id", "product_id"])
    new = pairs[[pair not in sold for pair in zip(pairs["streamer_id"], pairs["product_id"])]]
    known = sum(pair in carried for pair in zip(new["streamer_id"], new["factory_id"]))
    print(f"{opts.world}: cutoff {split.cutoff}; {len(new):,d} new streamer-product pairs from "
          f"{new['streamer_id'].nunique():,d} streamers, {known:,d} of them ({known / max(len(new), 1):.1%}) "
          "of a factory the streamer already carried")


if __name__ == "__main__":
    main()
