"""The graded product demotion on a hand-built graph: a product partly sold by a
fraud-flagged streamer is demoted in proportion to that part of its recent units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livetrust.graph.recommend import Demotion, recommend
from livetrust.graph.recommend.context import Context
from livetrust.graph.recommend.data import Graph

from test_recommend_lists import tiny_projection, tiny_scores, ts

HALF_LIFE = 60.0  # Graph.build's default recency half-life (days)


def shared_projection():
    """The tiny graph, plus the flagged s2 selling p2 (otherwise sold by s1) 8 days ago."""
    proj = tiny_projection()
    extra = proj.orders.iloc[[0]].assign(order_id="o-extra", consumer_id="c3", streamer_id="s2", product_id="p2",
                                         purchased_at=ts(-8), returned_quantity=0, first_returned_at=pd.NaT)
    proj.orders = pd.concat([proj.orders, extra], ignore_index=True)
    return proj


def expected_p2_share() -> float:
    # p2's recency-weighted units: s1 on days -9 and -8, s2 (flagged) on day -8
    w = lambda age: 2.0 ** (-age / HALF_LIFE)  # noqa: E731
    return w(8) / (w(9) + w(8) + w(8))


def test_product_flag_weight_is_the_share_over_the_threshold():
    rule = Demotion()
    assert rule.product_flag_weight(np.array([0.0, 0.1, 0.25, 0.5, 0.9])).tolist() == pytest.approx([0, 0.2, 0.5, 1, 1])
    # a product whose own row flags it is fully flagged whatever its share
    assert rule.product_flag_weight(np.array([0.0, 0.1]), np.array([True, False])).tolist() == pytest.approx([1, 0.2])
    assert Demotion(product_flag_share=0.25).product_flag_weight(np.array([0.1])).tolist() == pytest.approx([0.4])


def test_partly_flagged_product_is_demoted_in_proportion():
    ctx = Context.build(Graph.build(shared_projection()), tiny_scores())
    p = ctx.graph.products.get_loc
    share = expected_p2_share()  # about a third
    assert ctx.p_flagged_share[p("p2")] == pytest.approx(share)
    assert not ctx.p_flagged[p("p2")] and ctx.p_partly_flagged[p("p2")]
    assert ctx.p_demotion[p("p2")] == pytest.approx(1 - 0.9 * share / 0.5)
    # p3 (only s2) is flagged outright; p1 (only s1) is not demoted at all
    assert ctx.p_flagged[p("p3")] and ctx.p_demotion[p("p3")] == pytest.approx(0.1)
    assert ctx.p_demotion[p("p1")] == pytest.approx(1.0) and not ctx.p_partly_flagged[p("p1")]
    # review: a demotion of a few per mille was named in the reason; now only from reason_min_loss on
    loss = 0.9 * share / 0.5
    at = Context.build(Graph.build(shared_projection()), tiny_scores(), Demotion(reason_min_loss=loss))
    above = Context.build(Graph.build(shared_projection()), tiny_scores(), Demotion(reason_min_loss=loss + 1e-9))
    assert at.p_partly_flagged[p("p2")] and not above.p_partly_flagged[p("p2")]
    assert above.p_demotion[p("p2")] == pytest.approx(1 - loss)  # still demoted: the column says so


def test_partly_flagged_product_in_the_lists_says_why():
    proj = shared_projection()
    res = recommend(proj, tiny_scores(), top=5, lists=["consumer_products", "streamer_products"])
    cp = res.lists["consumer_products"]
    p2 = cp[(cp.subject_id == "c1") & (cp.object_id == "p2")].iloc[0]
    share = expected_p2_share()
    assert p2["demotion"] == pytest.approx(1 - 0.9 * share / 0.5)
    assert f"demoted: {round(share * 100, 1):g}% of its recent sales by fraud-flagged streamers" in p2["reason"]
    assert "sold mainly" not in p2["reason"]
    # the same score without the flag, times the demotion: demoted, not dropped
    clean = tiny_scores()
    clean.streamers["fraud_flag"] = False
    cp_clean = recommend(proj, clean, top=5, lists=["consumer_products"]).lists["consumer_products"]
    clean_p2 = cp_clean[(cp_clean.subject_id == "c1") & (cp_clean.object_id == "p2")].iloc[0]
    assert clean_p2["demotion"] == pytest.approx(1.0)
    assert "fraud-flagged" not in clean_p2["reason"]
    # the seller-trust part of the score does not change (all streamers' trust is the same
    # 0.9 here), so the ratio of the scores is the demotion
    assert p2["score"] == pytest.approx(clean_p2["score"] * p2["demotion"])


def burst_projection():
    """The tiny graph plus a young ring at s3: r1..r3 buy only there, p4 on the same day."""
    proj = tiny_projection()
    ring = pd.DataFrame({"order_id": ["r-1", "r-2", "r-3"], "consumer_id": ["r1", "r2", "r3"],
                         "streamer_id": "s3", "product_id": "p4", "quantity": 1, "amount": 5.0,
                         "purchased_at": [ts(-2) + pd.Timedelta(hours=h) for h in (1, 2, 3)],
                         "returned_quantity": 0, "first_returned_at": pd.NaT})
    ring["first_returned_at"] = pd.to_datetime(ring["first_returned_at"], utc=True)
    earlier = ring.iloc[[0]].assign(order_id="c1-s3", consumer_id="c1", purchased_at=ts(-60))  # c1 buys at s1 too
    proj.orders = pd.concat([proj.orders, ring, earlier], ignore_index=True)
    return proj


def test_burst_share_counts_same_day_single_streamer_groups():
    from livetrust.graph.recommend.bursts import burst_share

    g = Graph.build(burst_projection())
    share = dict(zip(g.streamers, burst_share(g)))
    # s3: 3 ring lines of its 5 (c3's p4 on day -4 is a lone buyer, c1 buys at s1 too); s1's buyers
    # meet on no day. Three on one day where the pair had one single-streamer buyer in 60 days:
    # P(K >= 3) at (1 + 1/2) / 59 a day is 2.7e-6, far below 0.01
    assert share == pytest.approx({"s1": 0.0, "s2": 0.0, "s3": 0.6})
    assert burst_share(g, max_p=1e-6)[g.streamers.get_loc("s3")] == 0.0  # ... but not below 1e-6
    # two buyers are not a group of three
    assert burst_share(g, min_buyers=4)[g.streamers.get_loc("s3")] == 0.0


def test_burst_flags_the_streamer_and_demotes_its_products():
    proj = burst_projection()
    scores = tiny_scores()
    ctx = Context.build(Graph.build(proj), scores)
    assert dict(zip(ctx.graph.streamers, ctx.s_flagged)) == {"s1": False, "s2": True, "s3": True}
    p4 = ctx.graph.products.get_loc("p4")
    assert ctx.p_flagged[p4] and ctx.p_demotion[p4] == pytest.approx(0.1)  # sold only by s3
    # a higher threshold leaves s3 alone (0.6 < 0.8)
    ctx = Context.build(Graph.build(proj), scores, Demotion(flag_burst=0.8))
    assert not ctx.s_flagged[ctx.graph.streamers.get_loc("s3")]


def surprise_orders():
    """Order arrays by hand (codes): days 0..30 at every streamer.

    - s0, product 0: single-streamer buyers on days 0, 10, 20 (one each), then 8 on day 30: a ring.
    - s1, product 1: 5 single-streamer buyers every day, 9 on day 30: busy, not surprising.
    - s2, product 2: 8 buyers on day 30 who also buy from s1: not single-streamer buyers.
    - s3, product 3: 4 single-streamer buyers on day 30, nothing else: below min_buyers.
    """
    from types import SimpleNamespace

    rows = []  # (consumer, streamer, product, day)
    nxt = iter(range(10_000))
    rows += [(next(nxt), 0, 0, d) for d in (0, 10, 20)] + [(next(nxt), 0, 0, 30) for _ in range(8)]
    rows += [(next(nxt), 1, 1, d) for d in range(30) for _ in range(5)] + [(next(nxt), 1, 1, 30) for _ in range(9)]
    shared = [next(nxt) for _ in range(8)]
    rows += [(c, 2, 2, 30) for c in shared] + [(c, 1, 1, 0) for c in shared]
    rows += [(next(nxt), 3, 3, 30) for _ in range(4)]
    rows += [(next(nxt), 2, 2, 0), (next(nxt), 3, 3, 0)]  # every streamer sells from day 0
    c, s, p, d = (np.array(col, dtype=np.int64) for col in zip(*rows))
    return SimpleNamespace(o_consumer=c, o_streamer=s, o_product=p, o_day=d, n_streamers=4,
                           n_consumers=int(c.max()) + 1)


def test_surprising_burst_lines_by_hand():
    from scipy import stats

    from livetrust.graph.recommend.bursts import surprising_burst_lines

    g = surprise_orders()
    # s0's day-30 group: k = 8 against the leave-one-out rate (3 other buyer-days + 1/2) / (31 - 1) days;
    # the tail is the negative binomial's of mean 3.5 / 30 and dispersion 50 (variance mean + mean^2 / 50)
    mean = 3.5 / 30
    tail = stats.nbinom.sf(7, 50, 50 / (50 + mean))
    assert 1e-13 < tail < 1e-11
    assert tail == pytest.approx(stats.poisson.sf(7, mean), rel=0.2)  # at a ring's small mean, about the Poisson's
    assert surprising_burst_lines(g).tolist() == [8, 0, 0, 0]
    assert surprising_burst_lines(g, max_p=tail * 1.01).tolist() == [8, 0, 0, 0]
    assert surprising_burst_lines(g, max_p=tail * 0.99).tolist() == [0, 0, 0, 0]
    poisson = stats.poisson.sf(7, mean)  # dispersion=None takes the Poisson tail
    assert surprising_burst_lines(g, max_p=poisson * 1.01, dispersion=None).tolist() == [8, 0, 0, 0]
    assert surprising_burst_lines(g, max_p=poisson * 0.99, dispersion=None).tolist() == [0, 0, 0, 0]
    # s1's 9 on a 5-a-day product: P(K >= 9 | 150.5 / 30) is about 0.07, far from any threshold
    assert surprising_burst_lines(g, max_p=0.01)[1] == 0
    # s3's group of 4 (rate (1 + 1/2) / 30 = 0.05: P(K >= 4) = 2.5e-7) is tested only when min_buyers allows it
    assert stats.poisson.sf(3, 0.05) == pytest.approx(2.5e-7, rel=0.05)
    assert surprising_burst_lines(g, min_buyers=4, max_p=1e-6)[3] == 4
    assert surprising_burst_lines(g, min_buyers=5, max_p=1e-6)[3] == 0
    assert surprising_burst_lines(g, min_buyers=4, max_p=1e-7)[3] == 0


def promotion_day_orders(usual: tuple[int, int], promotion: tuple[int, int]):
    """Order arrays by hand (codes), days 0..60: s0 sells p0 to ``singles`` single-streamer
    buyers a day and p1 to ``multis`` buyers who also buy p3 at s1 that day, (singles, multis)
    = ``usual`` and ``promotion`` on day 60; s2 sells p2 to one single-streamer buyer every
    fifth day, then to 12 (a ring) on day 60."""
    from types import SimpleNamespace

    rows, nxt = [], iter(range(10_000_000))
    for day in range(61):
        singles, multis = promotion if day == 60 else usual
        rows += [(next(nxt), 0, 0, day) for _ in range(singles)]
        for _ in range(multis):
            c = next(nxt)
            rows += [(c, 0, 1, day), (c, 1, 3, day)]
    rows += [(next(nxt), 2, 2, day) for day in range(0, 60, 5)] + [(next(nxt), 2, 2, 60) for _ in range(12)]
    c, s, p, d = (np.array(col, dtype=np.int64) for col in zip(*rows))
    return SimpleNamespace(o_consumer=c, o_streamer=s, o_product=p, o_day=d, n_streamers=3, n_consumers=int(c.max()) + 1)


def test_a_promotion_day_is_no_burst_but_a_ring_is():
    """s0 sells p0 to 10 single-streamer buyers and 20 lines of buyers who also buy at s1 every
    day for 60 days; on day 60, a promotion, 30 and 60. s2 has a single-streamer buyer of p2
    every fifth day, then 12 on day 60. Against its own daily rate s0's 30 would be a burst;
    against the day (its other buyers' lines tripled too) it is not. s2's 12 is either way."""
    from scipy import stats

    from livetrust.graph.recommend.bursts import burst_share, surprising_burst_lines

    g = promotion_day_orders(usual=(10, 20), promotion=(30, 60))
    # the old background (the pair's leave-one-out daily rate) would call s0's day a burst
    assert stats.poisson.sf(29, (610 - 30 + 0.5) / 60) < 1e-6
    # the day's factor: (60 + 1) / (20.7 + 1) lines of s0's buyers of several streamers
    assert surprising_burst_lines(g, max_p=1e-6).tolist() == [0, 0, 12]
    share = burst_share(g)
    assert share[0] == 0.0 and share[2] == pytest.approx(12 / 24)


def test_a_product_that_outruns_its_streamer_on_a_promotion_day_is_no_burst():
    """A busy pair's daily buyers spread more than a Poisson's: on a promotion day one product
    can surge a third more than its streamer. s0 sells p0 to 100 single-streamer buyers a day
    for 60 days and p1 to 100 buyers of several streamers; on day 60 the streamer's day factor
    is (300 + 1) / (103.3 + 1) and p0 draws 390 single-streamer buyers against 288.7 expected
    (1.35 times). A Poisson tail calls that 8.5e-9; the negative binomial (dispersion 50) 0.017.
    s2's ring, 12 single-streamer buyers of p2 on a day where it sells one every fifth day,
    is a burst under both."""
    from scipy import stats

    from livetrust.graph.recommend.bursts import burst_share, surprising_burst_lines, upper_tail

    g = promotion_day_orders(usual=(100, 100), promotion=(390, 300))
    expected = (6390 - 390 + 0.5) / 60 * (300 + 1) / (6300 / 61 + 1)
    assert expected == pytest.approx(288.7, abs=0.05)
    assert stats.poisson.sf(389, expected) < 1e-8
    assert upper_tail(np.array([390]), np.array([expected]))[0] == pytest.approx(0.017, abs=0.001)
    assert surprising_burst_lines(g, dispersion=None).tolist() == [390, 0, 12]  # the Poisson flags s0's day
    assert surprising_burst_lines(g).tolist() == [0, 0, 12]
    assert burst_share(g, dispersion=None)[0] > 0 and burst_share(g)[0] == 0.0
    assert burst_share(g)[2] == pytest.approx(12 / 24)


def test_lockstep_buyers_flag_a_streamer_only_as_a_share_of_its_buyers():
    """Three lockstep buyers flag a streamer of 1,000 buyers (0.3 %), not one of 343,704 (the
    whole l world's most bought honest streamer had exactly that: chance meetings of three
    shoppers who buy elsewhere too); without a buyers column the count alone decides."""
    from livetrust.graph.recommend.scores import flags_of

    frame = pd.DataFrame({"streamer_id": ["small", "huge", "ring", "clean"], "trust": 0.9,
                          "lockstep_buyers": [3, 3, 40, 0], "buyers": [1_000, 343_704, 30_000, 50]})
    index = pd.Index(["small", "huge", "ring", "clean"])
    assert flags_of(frame, "streamer_id", index, Demotion()).tolist() == [True, False, True, False]
    assert flags_of(frame, "streamer_id", index, Demotion(flag_lockstep_share=0.0)).tolist() == [True, True, True, False]
    assert flags_of(frame.drop(columns="buyers"), "streamer_id", index, Demotion()).tolist() == [True, True, True, False]


def test_a_flagged_streamer_says_why_in_its_reason():
    """The lists name the test that flagged a streamer: its score row's flag, its trust
    components (integrity, lockstep buyers) or a burst test."""
    from livetrust.graph.recommend.scores import flag_causes

    ctx = Context.build(Graph.build(burst_projection()), tiny_scores())
    causes = dict(zip(ctx.graph.streamers, ctx.s_flag_causes))
    assert causes == {"s1": "", "s2": "flagged by its score row",
                      "s3": "60% of its lines in same-day bursts of one-streamer buyers"}
    assert (ctx.s_flag_causes != "").tolist() == ctx.s_flagged.tolist()
    rows = recommend(tiny_projection(), tiny_scores(), top=5, lists=["consumer_streamers", "factory_streamers"]).lists
    for name in ("consumer_streamers", "factory_streamers"):
        s2 = rows[name][rows[name].object_id == "s2"]
        assert len(s2) and s2["reason"].str.endswith("demoted: fraud-flagged (flagged by its score row)").all()
        assert not rows[name][rows[name].object_id == "s1"]["reason"].str.contains("fraud-flagged").any()
    frame = pd.DataFrame({"streamer_id": ["a", "b", "c", "d"], "trust": 0.9, "integrity": [0.42, 1.0, 0.5, 0.95],
                          "lockstep_buyers": [0, 12, 5, 3], "buyers": [100, 400, 200, 343_704]})
    index = pd.Index(["a", "b", "c", "d"])
    assert flag_causes(frame, "streamer_id", index, Demotion()).tolist() == [
        "audience integrity 0.42", "12 lockstep buyers", "audience integrity 0.50, 5 lockstep buyers", ""]
    low = pd.DataFrame({"streamer_id": ["a", "b"], "trust": [0.12, 0.12], "confidence": [0.9, 0.1]})
    assert flag_causes(low, "streamer_id", pd.Index(["a", "b"]), Demotion()).tolist() == ["trust 0.12", ""]
