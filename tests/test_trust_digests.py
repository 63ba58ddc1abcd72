"""Streamer digests (graph/trust/digests.py) on a hand-built projection whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from livetrust.graph.projection import Projection, normalise
from livetrust.graph.trust.digests import streamer_digests, week_start


def projection(orders: list[tuple]) -> Projection:
    """Orders as (order_id, streamer_id, purchased_at, quantity, returned_quantity)."""
    frame = normalise("orders", pd.DataFrame({
        "order_id": [o[0] for o in orders], "consumer_id": "c1", "streamer_id": [o[1] for o in orders],
        "product_id": "p1", "quantity": [o[3] for o in orders], "amount": 1.0,
        "purchased_at": pd.to_datetime([o[2] for o in orders], utc=True),
        "returned_quantity": [o[4] for o in orders], "first_returned_at": pd.NaT,
    }))
    empty = {name: normalise(name, pd.DataFrame(columns=cols)) for name, cols in
             {"factories": ["factory_id", "name", "region"], "streamers": ["streamer_id", "name", "category", "region"],
              "products": ["product_id", "factory_id", "name", "category", "price"],
              "consumers": ["consumer_id", "region", "registered_at"],
              "follows": ["consumer_id", "streamer_id", "followed_at", "unfollowed_at"]}.items()}
    return Projection(**empty, orders=frame)


def test_week_start_is_the_monday_in_utc():
    stamps = pd.Series(["2026-06-01T00:00:00Z",    # a Monday
                        "2026-06-07T23:59:59Z",    # the Sunday after it
                        "2026-06-08T01:00:00+02:00"])  # Monday 01:00 in UTC+2 is Sunday 23:00 UTC
    assert list(week_start(stamps)) == ["2026-06-01", "2026-06-01", "2026-06-01"]


def test_audience_keeps_the_best_bonds_first_ties_by_id_and_counts_all():
    bonds = pd.DataFrame({
        "consumer_id": ["c3", "c1", "c2", "c4", "c9"],
        "streamer_id": ["s1", "s1", "s1", "s1", "s2"],
        "trust": [0.5, 0.9, 0.5, 0.1, 0.7],
    })
    digests = streamer_digests(projection([("o1", "s3", "2026-06-02", 1, 0)]), bonds, top=3).set_index("streamer_id")
    assert digests.loc["s1", "audience_top"] == ["c1", "c2", "c3"]  # 0.9, then the 0.5 tie by id; c4 cut
    assert digests.loc["s1", "audience_bonds"] == 4
    assert digests.loc["s2", "audience_top"] == ["c9"]
    # a streamer with orders but no bonds still gets a trend, and an empty audience
    assert digests.loc["s3", "audience_top"] == [] and digests.loc["s3", "audience_bonds"] == 0


def test_trend_counts_orders_units_and_returns_per_week_latest_first():
    orders = [
        ("o1", "s1", "2026-06-01T10:00:00Z", 2, 1),
        ("o2", "s1", "2026-06-03T10:00:00Z", 1, 0),
        ("o3", "s1", "2026-06-09T10:00:00Z", 4, 4),
        ("o4", "s2", "2026-06-09T10:00:00Z", 1, 0),
    ]
    bonds = pd.DataFrame({"consumer_id": ["c1"], "streamer_id": ["s1"], "trust": [0.5]})
    digests = streamer_digests(projection(orders), bonds).set_index("streamer_id")
    s1 = digests.loc["s1"]
    assert s1["trend_weeks"] == ["2026-06-08", "2026-06-01"]
    assert s1["trend_orders"] == [1, 2]
    assert s1["trend_units"] == [4, 3]
    assert s1["trend_returned_units"] == [4, 1]
    assert all(type(v) is int for v in s1["trend_units"])  # plain ints: the driver sends LIST<INTEGER>
    assert digests.loc["s2", "trend_weeks"] == ["2026-06-08"] and digests.loc["s2", "audience_top"] == []


def test_top_must_be_positive():
    with pytest.raises(ValueError, match="top must be at least 1"):
        streamer_digests(projection([("o1", "s1", "2026-06-02", 1, 0)]),
                         pd.DataFrame({"consumer_id": ["c1"], "streamer_id": ["s1"], "trust": [0.5]}), top=0)
