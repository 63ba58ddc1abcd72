"""Why livetrust's consumer -> products hits are returned more often than the baselines'.

``livetrust evaluate`` reports a **returned share**: of the recommended products a consumer then
bought in the hidden days, the share returned. On the m world livetrust's is the highest of the four
methods (10.1% against 9.5-9.7%; 10.3% before 5fc1204 mended the metric), although its lists are meant to favour products "unlikely to be
returned". This script runs the evaluation's consumer -> products task (last 30 days hidden, k = 10,
the same consumers as ``graph/recommend/evaluate.py``) for livetrust and the three baselines and
describes, per method:

- **the hits** (recommended products bought in the hidden days, one row per hidden-day order line):
  returned share by the return's reason, the truth's quality of the product and honesty of the
  streamer it was bought from, whether the buyer followed that streamer at the cutoff, and the
  buyer's price sensitivity -- the generator's causes of a return (defect ~ quality, exaggeration ~
  honesty, a kept purchase ~ trust in the seller, changed mind ~ price sensitivity);
- **the lists themselves** (every recommended slot, bought or not): the truth's mean product quality
  and the generator's defect probability of the product, ``0.01 + 0.35 (1 - quality)^2`` -- what the
  list chose, whoever bought it;
- **the base rate**: the same figures for every new purchase of the evaluated consumers in the
  hidden days.

Truth is read only here, to describe the lists, never by them.

    python bench/returned_share_causes.py /work/worlds/m [--keep-power 1 --keep-power 2 ...] [--depths]
    python bench/returned_share_causes.py /work/worlds/m --variant 1,2,1 --variant 1,1,1   # channel weighting
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from recommend_bench import load  # noqa: E402

from livetrust.graph.recommend import metrics as M  # noqa: E402
from livetrust.graph.recommend.common import pair_values  # noqa: E402
from livetrust.graph.recommend.consumer_products import ConsumerProducts  # noqa: E402
from livetrust.graph.recommend.context import Context  # noqa: E402
from livetrust.graph.recommend.data import Graph, codes_of, time_split  # noqa: E402
from livetrust.graph.recommend.evaluate import Truth, baseline, consumer_products_task  # noqa: E402
from livetrust.graph.recommend.scores import scores_from_model  # noqa: E402
from livetrust.world.config import Params  # noqa: E402

K = 10
REASONS = ("defective", "not_as_described", "changed_mind", "wrong_size")


def hidden_lines(world: Path, returns: pd.DataFrame, split, g: Graph, users: np.ndarray,
                 relevant: sp.csr_matrix, p_quality: np.ndarray) -> pd.DataFrame:
    """The evaluated consumers' hidden-day order lines of new products, with the truth's causes."""
    test = split.test_orders
    uc = np.full(g.n_consumers, -1, np.int64)
    uc[users] = np.arange(len(users))
    lines = pd.DataFrame({
        "user": uc[codes_of(g.consumers, test["consumer_id"])],
        "product": codes_of(g.products, test["product_id"]),
        "streamer_id": test["streamer_id"].to_numpy(),
        "consumer_id": test["consumer_id"].to_numpy(),
        "order_id": test["order_id"].to_numpy(),
        "quantity": test["quantity"].to_numpy(dtype=np.float64),
        "returned": test["returned_quantity"].to_numpy(dtype=np.float64),
    })
    lines = lines[(lines["user"] >= 0) & (lines["product"] >= 0)]
    lines = lines[pair_values(relevant, lines["user"].to_numpy(), lines["product"].to_numpy()) > 0]
    # returned units by reason (the returns file's reason; empty reasons count as "unstated")
    rets = returns[["order_id", "quantity", "reason"]].copy()
    rets["reason"] = rets["reason"].fillna("unstated").astype(str).replace("", "unstated")
    rets = rets[rets["order_id"].isin(lines["order_id"])]
    by_reason = rets.pivot_table(index="order_id", columns="reason", values="quantity", aggfunc="sum", fill_value=0)
    lines = lines.merge(by_reason, left_on="order_id", right_index=True, how="left")
    for r in (*REASONS, "unstated"):
        lines[r] = lines[r].fillna(0.0) if r in lines else 0.0
    truth = world / "truth"
    honesty = pd.read_csv(truth / "streamers.csv", dtype={"streamer_id": str}).set_index("streamer_id")["honesty"]
    cons = pd.read_csv(truth / "consumers.csv", dtype={"consumer_id": str},
                       usecols=["consumer_id", "price_sensitivity"]).set_index("consumer_id")["price_sensitivity"]
    lines["quality"] = p_quality[lines["product"].to_numpy()]
    lines["honesty"] = honesty.reindex(lines["streamer_id"]).to_numpy()
    lines["price_sensitivity"] = cons.reindex(lines["consumer_id"]).to_numpy()
    following = g.following.tocsr()
    lines["followed"] = pair_values(following, users[lines["user"].to_numpy()],
                                      codes_of(g.streamers, lines["streamer_id"])) > 0
    return lines


def describe(name: str, rec: np.ndarray, lines: pd.DataFrame, p_quality: np.ndarray, task, k: int = K) -> dict:
    """One method's row: its hits (order lines of recommended products) and its slots, for the first ``k``."""
    slots = rec[:, :k]
    ok = slots >= 0
    rec_pairs = sp.csr_matrix((np.ones(int(ok.sum())), (np.repeat(np.arange(len(slots)), k)[ok.ravel()],
                                                        slots[ok])), shape=(len(slots), len(p_quality)))
    hit = pair_values(rec_pairs, lines["user"].to_numpy(), lines["product"].to_numpy()) > 0
    h = lines[hit]
    row = _row(name, h, p_quality[slots[ok]], M.returned_share(slots, task.bought, task.returned))
    row[f"NDCG@{k}"] = M.ndcg_at_k(slots, task.relevant, k)
    row["fraud exposure"] = M.flagged_share(slots, task.fraud_products)
    return row


def _row(name: str, h: pd.DataFrame, slot_quality: np.ndarray | None, evaluate_share: float) -> dict:
    P = Params()
    units = h["quantity"].sum()
    row = {"method": name, "hit lines": len(h), "evaluate's returned share": evaluate_share,
           "returned units / units": h["returned"].sum() / units}
    for r in (*REASONS, "unstated"):
        row[f"  {r}"] = h[r].sum() / units
    row.update({
        "hits: product quality": h["quality"].mean(),
        "hits: seller honesty": h["honesty"].mean(),
        "hits: bought from a followed streamer": h["followed"].mean(),
        "hits: buyer price sensitivity": h["price_sensitivity"].mean(),
    })
    if slot_quality is not None:
        row["slots: product quality"] = slot_quality.mean()
        row["slots: defect probability"] = (P.defect_base + P.defect_scale * (1 - slot_quality) ** 2).mean()
    return row


def livetrust_lists(ctx: Context, users: np.ndarray, keep: float, seller: float, channel: float) -> np.ndarray:
    """livetrust's top K for ``users`` with these powers; ``channel`` > 0 weighs each bond by its
    streamer's trust ** channel (the experiment of ``--variant``; not a parameter of the list)."""
    model = ConsumerProducts(keep_power=keep, seller_power=seller).fit(ctx)
    if channel:
        r = model.r_.tocsr().copy()
        r.data = r.data * np.clip(ctx.s_trust[r.indices], 0.0, 1.0) ** channel
        model.r_ = r
    return model.recommend(K, users)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path)
    ap.add_argument("--keep-power", type=float, action="append", default=None,
                    help="livetrust variants: ConsumerProducts.keep_power (default: the default only)")
    ap.add_argument("--seller-power", type=float, default=None)
    ap.add_argument("--variant", action="append", default=[], metavar="KEEP,SELLER,CHANNEL",
                    help="another livetrust row: keep_power, seller_power and a channel power G that weighs each "
                         "bond by its streamer's trust ** G (the kept probability of buying through it; 0: as "
                         "shipped); an experiment, not a parameter of the list")
    ap.add_argument("--depths", action="store_true",
                    help="also livetrust's first 1..10: the returned share at as many hits as a baseline has")
    args = ap.parse_args()
    t0 = time.perf_counter()
    projection, _, _ = load(args.world, use_cache=True)
    split = time_split(projection, 30)
    g = Graph.build(split.train)
    ctx = Context.build(g, scores_from_model(split.train))
    truth = Truth.load(args.world / "truth")
    task = consumer_products_task(g, split, truth, ~truth.fraud_consumers(g.consumers))
    quality = pd.read_csv(args.world / "truth" / "products.csv", dtype={"product_id": str}).set_index("product_id")
    p_quality = quality["quality"].reindex(g.products).to_numpy(dtype=np.float64)
    lines = hidden_lines(args.world, projection.returns, split, g, task.users, task.relevant, p_quality)
    rows = [_row("every new purchase (base rate)", lines, None, float("nan"))]
    seller = ConsumerProducts.seller_power if args.seller_power is None else args.seller_power
    depths: dict[float, list[dict]] = {}
    for power in args.keep_power or [ConsumerProducts.keep_power]:
        rec = livetrust_lists(ctx, task.users, power, seller, 0.0)
        rows.append(describe(f"livetrust keep_power={power:g}", rec, lines, p_quality, task))
        if args.depths:
            depths[power] = [describe(f"first {d}", rec, lines, p_quality, task, d) for d in range(1, K + 1)]
    for text in args.variant:
        keep, seller_power, channel = (float(v) for v in text.split(","))
        rec = livetrust_lists(ctx, task.users, keep, seller_power, channel)
        rows.append(describe(f"livetrust keep {keep:g}, seller {seller_power:g}, channel {channel:g}", rec, lines,
                             p_quality, task))
    for name in ("most_popular", "item_knn", "rp3beta"):
        rec, _ = baseline(name).fit(g.bought).recommend(K, task.users)
        rows.append(describe(name, rec, lines, p_quality, task))
    table = pd.DataFrame(rows).set_index("method").T
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 200):
        print(f"{args.world.name}: {len(task.users):,} consumers, {len(lines):,} hidden-day lines of new products")
        print(table.to_string())
    cols = ["hit lines", "evaluate's returned share", "returned units / units"]
    for power, depth_rows in depths.items():
        with pd.option_context("display.float_format", "{:.4f}".format):
            print(f"livetrust keep_power={power:g} by list depth:")
            print(pd.DataFrame(depth_rows).set_index("method")[cols].to_string())
    print(f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
