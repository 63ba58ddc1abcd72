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


def test_an_order_returned_in_parts_counts_only_the_units_returned_before_the_cutoff():
    """Review of evaluate: an order first returned before the cutoff kept its whole returned total,
    a later partial return included (the future leaked into the trust evidence)."""
    proj = tiny_projection()
    orders = proj.orders.set_index("order_id")
    orders.loc["o1", "quantity"] = 3  # c2 bought 3 of p2 on day -9: 1 back on day -6, 2 on day -2
    orders.loc["o1", ["returned_quantity", "first_returned_at"]] = [3, ts(-6)]
    orders.loc["o3", ["returned_quantity", "first_returned_at"]] = [0, pd.NaT]
    proj.orders = orders.reset_index()
    proj.returns = normalise("returns", pd.DataFrame({
        "order_id": ["o1", "o1"], "returned_at": [ts(-6), ts(-2)], "quantity": [1, 2], "reason": ["damaged", None],
    }))
    split = time_split(proj, 4.5, end=ts(0))  # cutoff: day -4.5
    train = split.train.orders.set_index("order_id")
    assert train.loc["o1", "returned_quantity"] == 1 and train.loc["o1", "first_returned_at"] == ts(-6)
    assert (train.drop(index="o1")["returned_quantity"] == 0).all()
    assert split.train.returns["quantity"].tolist() == [1]
    whole = proj.orders.set_index("order_id")
    assert whole.loc["o1", "returned_quantity"] == 3  # the projection itself is not changed


def test_orders_without_rows_in_the_returns_table_keep_their_totals_known_at_the_cutoff():
    """Review of the diff: a projection holding only the orders' totals (an empty returns table) lost
    every return before the cutoff while first_returned_at stayed."""
    proj = tiny_projection()  # o3 (c2, p1, day -7) returned 1 unit on day -5; no returns rows
    split = time_split(proj, 4.5, end=ts(0))  # cutoff: day -4.5
    o3 = split.train.orders.set_index("order_id").loc["o3"]
    assert o3["returned_quantity"] == 1 and o3["first_returned_at"] == ts(-5)
    split = time_split(proj, 5.5, end=ts(0))  # cutoff: day -5.5, before that return
    o3 = split.train.orders.set_index("order_id").loc["o3"]
    assert o3["returned_quantity"] == 0 and pd.isna(o3["first_returned_at"])



def test_a_re_follow_of_an_unfollowed_streamer_is_not_a_new_follow_to_predict():
    """Review of the diff: the consumer -> streamers list no longer offers streamers the consumer
    unfollowed, so scoring it on re-follows of them would count sure misses against every method."""
    import numpy as np

    from livetrust.graph.recommend.data import Graph, codes_of
    from livetrust.graph.recommend.evaluate import new_follows

    proj = tiny_projection()
    proj.follows.loc[proj.follows.consumer_id == "c2", "unfollowed_at"] = ts(-30)  # c2 left s1 on day -30
    extra = pd.DataFrame({"consumer_id": ["c2", "c2"], "streamer_id": ["s1", "s3"], "followed_at": [ts(-2), ts(-2)],
                          "unfollowed_at": pd.Series([pd.NaT, pd.NaT], dtype=proj.follows["unfollowed_at"].dtype)})
    proj.follows = pd.concat([proj.follows, extra], ignore_index=True)
    split = time_split(proj, 4.5, end=ts(0))
    g = Graph.build(split.train)
    users, relevant = new_follows(g, split, np.ones(g.n_consumers, dtype=bool))
    c2 = codes_of(g.consumers, pd.Series(["c2"]))[0]
    assert users.tolist() == [c2]
    assert [g.streamers[i] for i in relevant[0].indices] == ["s3"]  # s1 again is a re-follow: not counted
