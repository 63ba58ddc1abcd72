"""The time split keeps the returns table (with reasons) on the right side of the cutoff."""

from __future__ import annotations

import pandas as pd

from livetrust.graph.projection import normalise
from livetrust.graph.recommend import time_split

from test_recommend_lists import tiny_projection, ts


def test_time_split_keeps_only_returns_known_at_the_cutoff():
    proj = tiny_projection()
    # o3 (bought day -7) returned on day -5, before the cut; o0 (day -10) returned on day -2,
    # after it; o6 (day -4, after the cut) returned on day -3
    proj.returns = normalise("returns", pd.DataFrame({
        "order_id": ["o3", "o0", "o6"], "returned_at": [ts(-5), ts(-2), ts(-3)], "quantity": [1, 1, 1],
        "reason": ["damaged", "not as described", None],
    }))
    split = time_split(proj, 4.5, end=ts(0))  # cutoff: day -4.5
    train = split.train.returns
    assert train["order_id"].tolist() == ["o3"]
    assert train["reason"].tolist() == ["damaged"]
    assert (train["returned_at"] < split.cutoff).all()
