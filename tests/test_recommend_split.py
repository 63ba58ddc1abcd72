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
