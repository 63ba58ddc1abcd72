"""Where livetrust's consumer -> products fraud exposure in ``livetrust evaluate`` comes from.

Runs the evaluation's consumer -> products task (last 30 days hidden, k = 10, the consumers and the
truth's fraudulent products exactly as ``graph/recommend/evaluate.py`` defines them) for livetrust's
lists only, and sorts every recommended slot whose product the truth marks fraudulent by the product's
main seller in the training part (the streamer with the most of its training order lines):

- its truth kind (fake followers, brushing, honest) and whether the demotion rule flags it;
- for a fake-follower seller, whether any of its fake followers followed before the cutoff (if none
  did, nothing in the training part shows the fraud);
- whether the product was fraud-majority in the training part alone (the truth counts the hidden days
  too);
- whether the slot was a hit (the consumer bought the product in the hidden days): what demoting it
  would cost.

Truth is used only here, to attribute the slots, never by the lists.

    python bench/fraud_exposure_causes.py /work/worlds/m
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402

from livetrust.graph.recommend.consumer_products import ConsumerProducts  # noqa: E402
from livetrust.graph.recommend.context import Context  # noqa: E402
from livetrust.graph.recommend.data import Graph, codes_of, time_split  # noqa: E402
from livetrust.graph.recommend.evaluate import Truth, consumer_products_task, fraud_products  # noqa: E402
from livetrust.graph.recommend.scores import scores_from_model  # noqa: E402

K = 10


def main_sellers(g: Graph) -> np.ndarray:
    """Per product code: the streamer code with the most of its (training) order lines, -1 if none."""
    ok = (g.o_product >= 0) & (g.o_streamer >= 0)
    key = g.o_product[ok].astype(np.int64) * g.n_streamers + g.o_streamer[ok]
    pairs, lines = np.unique(key, return_counts=True)
    product, streamer = pairs // g.n_streamers, pairs % g.n_streamers
    order = np.lexsort((-lines, product))  # per product, the most lines first
    first = np.unique(product[order], return_index=True)[1]
    seller = np.full(g.n_products, -1, np.int64)
    seller[product[order][first]] = streamer[order][first]
    return seller


def visible_fake_follows(world: Path, split, g: Graph) -> np.ndarray:
    """Per streamer code: follows before the cutoff by the truth's fake accounts that serve it."""
    truth = pd.read_csv(world / "truth" / "consumers.csv", dtype={"consumer_id": str, "serves_streamer_id": str},
                        usecols=["consumer_id", "fraud_kind", "serves_streamer_id"])
    fake = truth[truth["fraud_kind"] == "fake_followers"].set_index("consumer_id")["serves_streamer_id"]
    follows = split.train.follows
    served = follows["consumer_id"].map(fake)
    mine = follows[served.to_numpy() == follows["streamer_id"].to_numpy()]
    return np.bincount(codes_of(g.streamers, mine["streamer_id"]), minlength=g.n_streamers)


def main() -> None:
    world = Path(sys.argv[1])
    projection, _, _ = load(world, use_cache=True)
    split = time_split(projection, 30)
    g = Graph.build(split.train)
    ctx = Context.build(g, scores_from_model(split.train))
    truth = Truth.load(world / "truth")
    task = consumer_products_task(g, split, truth, ~truth.fraud_consumers(g.consumers))
    rec, _ = ConsumerProducts().fit(ctx).recommend(K, task.users)
    top = rec[:, :K]
    filled = top >= 0
    slots = top[filled]
    fraud = task.fraud_products
    bad = slots[fraud[slots]]
    # was the slot a hit (the consumer bought the product, new to them, in the hidden days)?
    user = np.broadcast_to(np.arange(len(task.users))[:, None], top.shape)[filled][fraud[slots]]
    hit = np.asarray(task.relevant[user, bad]).ravel() > 0
    print(f"{world.name}: {len(task.users):,} consumers, {len(slots):,} slots, {len(bad):,} of them fraudulent "
          f"products ({len(bad) / len(slots):.4%})")

    kinds = truth.streamers.set_index("streamer_id")["fraud_kind"].reindex(g.streamers).fillna("none").to_numpy()
    fraud_ids = set(truth.streamers.loc[truth.streamers["fraud_kind"] != "none", "streamer_id"])
    fraud_in_training = fraud_products(split.train.orders, g.products, fraud_ids)
    seller = main_sellers(g)[bad]
    visible = visible_fake_follows(world, split, g)
    frame = pd.DataFrame({
        "product": bad,
        "hit": hit,
        "main seller kind": np.where(seller >= 0, kinds[np.maximum(seller, 0)], "no training sales"),
        "seller flagged": np.where(seller >= 0, ctx.s_flagged[np.maximum(seller, 0)], False),
        "fake follows before the cutoff": np.where(visible[np.maximum(seller, 0)] > 0, "yes", "no"),
        "fraud-majority in training": fraud_in_training[bad],
    })
    frame.loc[frame["main seller kind"] != "fake_followers", "fake follows before the cutoff"] = "-"
    causes = frame.groupby(["main seller kind", "seller flagged", "fake follows before the cutoff",
                            "fraud-majority in training"]).agg(slots=("product", "size"), products=("product", "nunique"),
                                          hits=("hit", "sum"))
    print(causes.sort_values("slots", ascending=False).to_string())
    unseen = frame[(frame["main seller kind"] == "fake_followers") & ~frame["seller flagged"]
                   & (frame["fake follows before the cutoff"] == "no")]
    print(f"fake-follower main sellers not flagged, no fake follow before the cutoff: "
          f"{unseen['product'].nunique()} products, {len(unseen):,} slots, {unseen['hit'].mean():.1%} of them hits")
    sellers = np.unique(main_sellers(g)[unseen["product"].to_numpy()])
    percentile = pd.Series(ctx.s_trust).rank(pct=True).to_numpy()[sellers]
    print(f"their {len(sellers)} main sellers' trust percentile among all streamers: "
          + ", ".join(f"{x:.0%}" for x in np.sort(percentile)))
    hits_all = np.asarray(task.relevant[np.broadcast_to(np.arange(len(task.users))[:, None], top.shape)[filled],
                                        slots]).ravel() > 0
    print(f"hits among all slots (P@{K}): {hits_all.mean():.1%}; among the fraudulent ones: {hit.mean():.1%}")


if __name__ == "__main__":
    main()
