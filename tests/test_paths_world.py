"""A hand-built world for the path-analysis tests (data only, no tests), answers worked out on paper.

3 factories, 4 products, 4 streamers, 6 consumers, 8 orders::

    F1: P1 (beauty, trust .8), P2 (food, .5)      F2: P3 (food, .9)      F3: P4 (home, unscored)

    order  consumer  streamer  product  qty  amount  returned
    o1     C1        S1        P1       1    100     0
    o2     C2        S1        P1       2    200     1
    o3     C2        S1        P3       1     50     0
    o4     C3        S2        P2       1     80     0
    o5     C3        S2        P3       1     50     1
    o6     C4        S3        P3       2    100     0
    o7     C5        S1        P1       1    100     0
    o8     C6        S4        P4       1     40     0

    bonds b(c, s): C1-S1 .9, C2-S1 .6, C2-S2 .5, C3-S2 .8, C4-S3 .7, C4-S2 .4, C1-S3 .5,
                   C5-S3 .3, C6-S3 .2          (C5 bought from S1 without a bond; S4 has none)

Regions: C1, C2 east; C3, C4 south; C5 north; C6 none ("unknown").
With carry_prior m = 2: κ = (units − returned + 2 t(p)) / (units + 2).
"""

from __future__ import annotations

import pandas as pd

from livetrust.graph.paths import TrustInputs
from livetrust.graph.projection import Projection

CARRY_PRIOR = 2.0


def _ts(values):
    return pd.to_datetime(pd.Series(values, dtype="object"), utc=True)


def hand_projection() -> Projection:
    factories = pd.DataFrame({
        "factory_id": ["F1", "F2", "F3"], "name": ["Crane Works", "Peach Foods", "Home Goods"],
        "region": ["east", "south", "north"],
    })
    streamers = pd.DataFrame({
        "streamer_id": ["S1", "S2", "S3", "S4"], "name": ["Sparrow Live", "Tiger Live", "Lotus Live", "Quiet Live"],
        "category": ["beauty", "food", "food", "home"], "region": ["east", "south", "south", "north"],
    })
    products = pd.DataFrame({
        "product_id": ["P1", "P2", "P3", "P4"], "factory_id": ["F1", "F1", "F2", "F3"],
        "name": ["face cream", "tea", "honey", "lamp"], "category": ["beauty", "food", "food", "home"],
        "price": [100.0, 80.0, 50.0, 40.0],
    })
    consumers = pd.DataFrame({
        "consumer_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "region": ["east", "east", "south", "south", "north", None],
        "registered_at": _ts(["2025-01-01T00:00:00Z"] * 6),
    })
    follows = pd.DataFrame({
        "consumer_id": ["C1", "C1", "C2", "C4", "C4", "C5", "C6"],
        "streamer_id": ["S1", "S3", "S1", "S2", "S3", "S3", "S3"],
        "followed_at": _ts(["2025-01-01T10:00:00Z", "2025-02-01T10:00:00Z", "2025-01-05T10:00:00Z",
                            "2025-03-01T10:00:00Z", "2025-03-02T10:00:00Z", "2025-04-01T10:00:00Z",
                            "2025-05-01T10:00:00Z"]),
        "unfollowed_at": _ts([None, "2025-03-01T10:00:00Z", None, None, None, None, None]),
    })
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(1, 9)],
        "consumer_id": ["C1", "C2", "C2", "C3", "C3", "C4", "C5", "C6"],
        "streamer_id": ["S1", "S1", "S1", "S2", "S2", "S3", "S1", "S4"],
        "product_id": ["P1", "P1", "P3", "P2", "P3", "P3", "P1", "P4"],
        "quantity": [1, 2, 1, 1, 1, 2, 1, 1],
        "amount": [100.0, 200.0, 50.0, 80.0, 50.0, 100.0, 100.0, 40.0],
        "purchased_at": _ts([f"2026-01-0{i}T12:00:00Z" for i in range(1, 9)]),
        "returned_quantity": [0, 1, 0, 0, 1, 0, 0, 0],
        "first_returned_at": _ts([None, "2026-01-10T12:00:00Z", None, None, "2026-01-12T12:00:00Z", None, None, None]),
    })
    return Projection(factories, streamers, products, consumers, follows, orders)


BONDS = [
    ("C1", "S1", 0.9), ("C2", "S1", 0.6), ("C2", "S2", 0.5), ("C3", "S2", 0.8), ("C4", "S3", 0.7),
    ("C4", "S2", 0.4), ("C1", "S3", 0.5), ("C5", "S3", 0.3), ("C6", "S3", 0.2),
]


def hand_trust(credibility: dict[str, float] | None = None) -> TrustInputs:
    """The hand world's trust frames; ``credibility`` (consumer -> value, others 1) adds the bonds'
    ``consumer_credibility`` column, which the paths weigh every bond by."""
    bonds = pd.DataFrame({
        "consumer_id": [b[0] for b in BONDS], "streamer_id": [b[1] for b in BONDS],
        "trust": [b[2] for b in BONDS], "confidence": [0.5] * len(BONDS),
    })
    if credibility is not None:
        bonds["consumer_credibility"] = bonds["consumer_id"].map(credibility).fillna(1.0)
    return TrustInputs(
        consumer_streamer=bonds,
        streamers=pd.DataFrame({"streamer_id": ["S1", "S2", "S3", "S4"], "trust": [0.8, 0.6, 0.7, 0.5],
                                "confidence": [0.6, 0.5, 0.5, 0.1]}),
        products=pd.DataFrame({"product_id": ["P1", "P2", "P3"], "trust": [0.8, 0.5, 0.9]}),
        factories=pd.DataFrame({"factory_id": ["F1", "F2"], "trust": [0.7, 0.85]}),
    )


def _iso(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(values.notna(), "")


def write_contract_folder(p: Projection, folder) -> None:
    """The projection as a contract folder (CSV), for the real loader."""
    folder.mkdir(parents=True, exist_ok=True)
    p.factories.to_csv(folder / "factories.csv", index=False)
    p.streamers.to_csv(folder / "streamers.csv", index=False)
    p.products.to_csv(folder / "products.csv", index=False)
    consumers = p.consumers.assign(registered_at=_iso(p.consumers["registered_at"]))
    consumers.to_csv(folder / "consumers.csv", index=False)
    p.follows.assign(followed_at=_iso(p.follows["followed_at"]), unfollowed_at=_iso(p.follows["unfollowed_at"])).to_csv(
        folder / "follows.csv", index=False)
    o = p.orders
    o[["order_id", "consumer_id", "streamer_id", "product_id", "quantity", "amount"]].assign(
        purchased_at=_iso(o["purchased_at"])).to_csv(folder / "purchases.csv", index=False)
    r = o[o["returned_quantity"] > 0]
    pd.DataFrame({"order_id": r["order_id"], "returned_at": _iso(r["first_returned_at"]),
                  "quantity": r["returned_quantity"], "reason": "quality"}).to_csv(folder / "returns.csv", index=False)
