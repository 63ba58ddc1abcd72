"""The trust model on small hand-built projections whose answers are known.

``Tiny`` builds a ``Projection`` from a few lines of Python (days are offsets from a
fixed start; ``as_of`` is day 180 unless told otherwise).
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from livetrust.graph.projection import COLUMNS, Projection
from livetrust.graph.trust import OUTPUTS, TrustModel

T0 = pd.Timestamp("2026-01-01", tz="UTC")


def day(d: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=float(d))


class Tiny:
    """A hand-built world: consumers, follows and orders with explicit outcomes."""

    def __init__(self) -> None:
        self.consumers: dict[str, float] = {}
        self.streamers: set[str] = set()
        self.products: dict[str, str] = {}
        self.follows: list[dict] = []
        self.orders: list[dict] = []

    def consumer(self, cid: str, registered: float = -400.0) -> str:
        self.consumers.setdefault(cid, registered)
        return cid

    def product(self, pid: str, factory: str) -> str:
        self.products[pid] = factory
        return pid

    def follow(self, c: str, s: str, at: float, until: float | None = None) -> None:
        self.consumer(c)
        self.streamers.add(s)
        self.follows.append({"consumer_id": c, "streamer_id": s, "followed_at": day(at),
                             "unfollowed_at": day(until) if until is not None else pd.NaT})

    def order(self, c: str, s: str, p: str, at: float, qty: int = 1, returned: int = 0,
              returned_after: float = 3.0) -> None:
        self.consumer(c)
        self.streamers.add(s)
        if p not in self.products:
            self.product(p, "f-" + p)
        self.orders.append({
            "order_id": f"o{len(self.orders):06d}", "consumer_id": c, "streamer_id": s, "product_id": p,
            "quantity": qty, "amount": 10.0 * qty, "purchased_at": day(at), "returned_quantity": returned,
            "first_returned_at": day(at + returned_after) if returned else pd.NaT,
        })

    def projection(self, as_of: float | None = 180.0) -> Projection:
        def frame(rows, cols):
            return pd.DataFrame(rows, columns=list(cols)) if rows else pd.DataFrame({c: [] for c in cols})

        factories = sorted(set(self.products.values()))
        orders = frame(self.orders, COLUMNS["orders"])
        for col in ("purchased_at", "first_returned_at"):
            orders[col] = pd.to_datetime(orders[col], utc=True)
        follows = frame(self.follows, COLUMNS["follows"])
        for col in ("followed_at", "unfollowed_at"):
            follows[col] = pd.to_datetime(follows[col], utc=True)
        return Projection(
            factories=pd.DataFrame({"factory_id": factories, "name": "", "region": ""}),
            streamers=pd.DataFrame({"streamer_id": sorted(self.streamers), "name": "", "category": "", "region": ""}),
            products=pd.DataFrame({"product_id": list(self.products), "factory_id": list(self.products.values()),
                                   "name": "", "category": "", "price": 10.0}),
            consumers=pd.DataFrame({"consumer_id": list(self.consumers), "region": "",
                                    "registered_at": [day(r) for r in self.consumers.values()]}),
            follows=follows,
            orders=orders,
            as_of=day(as_of) if as_of is not None else None,
        )


def shop(w: Tiny, streamer: str, n: int, return_every: int | None, *, prefix: str, product: str = "p1",
         start: float = 1.0, end: float = 170.0, repeat: int = 1) -> None:
    """``n`` established shoppers each buy ``repeat`` times from ``streamer``; every
    ``return_every``-th order is returned."""
    k = 0
    for i in range(n):
        c = w.consumer(f"{prefix}{i:04d}")
        for r in range(repeat):
            at = start + (end - start) * ((i * repeat + r) % max(n * repeat, 1)) / max(n * repeat, 1)
            ret = 1 if (return_every and k % return_every == return_every - 1) else 0
            w.order(c, streamer, product, at, returned=ret)
            k += 1


def trust_of(model: TrustModel, streamer: str) -> float:
    return float(model.streamers.set_index("streamer_id").loc[streamer, "trust"])


def row(model: TrustModel, streamer: str) -> pd.Series:
    return model.streamers.set_index("streamer_id").loc[streamer]


@pytest.fixture
def market() -> Tiny:
    """Three ordinary streamers (5 %, 10 %, 30 % returns) with established shoppers."""
    w = Tiny()
    w.product("p1", "f1")
    shop(w, "s_good", 120, 20, prefix="g")
    shop(w, "s_mid", 120, 10, prefix="m")
    shop(w, "s_bad", 120, 3, prefix="b")
    return w


def test_scores_are_bounded_with_components(market):
    model = TrustModel().fit(market.projection())
    assert set(model.results_) == set(OUTPUTS)
    for name in OUTPUTS:
        frame = model.results_[name]
        assert frame["trust"].between(0, 1).all(), name
        assert frame["confidence"].between(0, 1).all(), name
        if "trust_low" in frame:
            assert (frame["trust_low"] <= frame["trust"] + 1e-12).all(), name
            assert (frame["trust"] <= frame["trust_high"] + 1e-12).all(), name
    s = model.streamers
    assert list(s["streamer_id"]) == sorted(s["streamer_id"])
    for col in ("reputation", "integrity", "spam_mass", "orders", "returned_units", "credible_follower_share",
                "repeat_buyer_share", "kept_weight", "returned_weight", "catalog_kept", "own_effect"):
        assert col in s.columns
    assert trust_of(model, "s_good") > trust_of(model, "s_mid") > trust_of(model, "s_bad")


def test_one_kept_sale_is_not_the_most_trusted(market):
    market.order(market.consumer("lucky"), "s_new", "p1", 100.0)
    model = TrustModel().fit(market.projection())
    new, good = row(model, "s_new"), row(model, "s_good")
    assert new["trust"] < good["trust"]
    assert new["confidence"] < 0.1 < good["confidence"]
    # shrunk to the platform's prior, not to 1
    assert abs(new["trust"] - new["prior_kept"]) < 0.05
    assert new["trust_high"] - new["trust_low"] > good["trust_high"] - good["trust_low"]


def test_thin_evidence_gets_low_confidence():
    w = Tiny()
    shop(w, "s_small", 3, None, prefix="a")
    shop(w, "s_big", 300, 10, prefix="b")
    model = TrustModel().fit(w.projection())
    assert row(model, "s_small")["confidence"] < row(model, "s_big")["confidence"]
    assert row(model, "s_big")["confidence"] > 0.5


def test_confidence_follows_the_amount_of_evidence_not_the_risk():
    """A product returned often but sold 300 times is known better than one sold 5 times without a
    return, which is known better than one never sold (it borrows its factory's evidence only); a
    factory with no sale is not known at all. Streamers likewise, whatever their return rates."""
    w = Tiny()
    w.product("p_many", "fA"), w.product("p_few", "fA"), w.product("p_none", "fA"), w.product("p_zero", "fZ")
    for i in range(300):
        w.order(w.consumer(f"a{i:04d}"), "s_risky", "p_many", 1 + i * 0.5, returned=1 if i % 3 == 0 else 0)
    for i in range(5):
        w.order(w.consumer(f"b{i:04d}"), "s_clean", "p_few", 10 + i)
    # the same evidence with and without returns: the same confidence (it says how much is known,
    # not what; weights at each row's own risk made the returned-from rows look surer)
    w.product("p_kept", "fB"), w.product("p_returned", "fC")
    for i in range(60):
        w.order(w.consumer(f"k{i:04d}"), "s_keeps", "p_kept", 20 + i)
        w.order(w.consumer(f"r{i:04d}"), "s_returns", "p_returned", 20 + i, returned=1 if i % 2 else 0)
    model = TrustModel().fit(w.projection())
    p = model.products.set_index("product_id")["confidence"]
    assert p["p_many"] > p["p_few"] > p["p_none"] > 0 and p["p_zero"] == 0
    assert p["p_kept"] == pytest.approx(p["p_returned"], abs=1e-9)
    f = model.factories.set_index("factory_id")["confidence"]
    assert f["fA"] > 0.5 and f["fZ"] == 0 and f["fB"] == pytest.approx(f["fC"], abs=1e-9)
    assert row(model, "s_risky")["confidence"] > row(model, "s_clean")["confidence"]
    assert row(model, "s_keeps")["confidence"] == pytest.approx(row(model, "s_returns")["confidence"], abs=1e-9)


def test_return_spike_costs_trust_quickly_and_half_life_controls_it():
    def world(spike: bool) -> Projection:
        w = Tiny()
        shop(w, "s", 200, 20, prefix="c", end=165.0)
        shop(w, "other", 200, 10, prefix="o")
        for i in range(30):  # the last two weeks: 30 more orders
            w.order(w.consumer(f"late{i:03d}"), "s", "p1", 166.0 + i * 0.4, returned=1 if (spike and i % 2 == 0) else 0)
        return w.projection(as_of=180.0)

    drops = {}
    for hl in (30.0, 90.0, 1e9):
        base = trust_of(TrustModel(half_life_days=hl).fit(world(False)), "s")
        spiked = trust_of(TrustModel(half_life_days=hl).fit(world(True)), "s")
        drops[hl] = base - spiked
    assert drops[30.0] > drops[90.0] > drops[1e9] > 0
    assert drops[90.0] > 0.02


def test_recent_window_reacts_to_a_spike_within_days():
    def world(spike: bool) -> Projection:
        w = Tiny()
        shop(w, "s", 300, 20, prefix="c", end=170.0)
        shop(w, "other", 200, 10, prefix="o")
        for i in range(24):  # the last 8 days
            w.order(w.consumer(f"late{i:03d}"), "s", "p1", 170.0 + i / 3, returned=1 if (spike and i % 3) else 0,
                    returned_after=0.5)
        return w.projection(as_of=178.5)

    with_window = TrustModel()
    without = TrustModel(recent_half_life_days=1e9, half_life_days=1e9)
    drop = trust_of(with_window.fit(world(False)), "s") - trust_of(with_window.fit(world(True)), "s")
    drop_without = trust_of(without.fit(world(False)), "s") - trust_of(without.fit(world(True)), "s")
    assert drop > 2 * drop_without > 0
    spiked = row(with_window.fit(world(True)), "s")
    assert spiked["recent_drop"] and spiked["recent_kept"] < spiked["reputation"]
    calm = row(with_window.fit(world(False)), "s")
    assert calm["trust"] == pytest.approx(min(calm["reputation"], calm["recent_kept"]) * calm["integrity"])


def test_recent_returns_weigh_more_than_old_ones():
    w = Tiny()
    shop(w, "early_bad", 100, None, prefix="a")
    shop(w, "late_bad", 100, None, prefix="b")
    for i in range(20):
        w.order(w.consumer(f"x{i}"), "early_bad", "p1", 5.0 + i, returned=1)
        w.order(w.consumer(f"y{i}"), "late_bad", "p1", 150.0 + i, returned=1)
    model = TrustModel(half_life_days=30).fit(w.projection())
    assert trust_of(model, "early_bad") > trust_of(model, "late_bad")


def test_fake_followers_earn_nothing_and_cost_integrity(market):
    # s_fake sells exactly like s_mid, plus 400 fresh accounts that follow and never buy
    shop(market, "s_fake", 120, 10, prefix="fm")
    for i in range(400):
        c = market.consumer(f"bot{i:04d}", registered=60.0 + (i % 5) * 0.2)
        market.follow(c, "s_fake", 61.0 + (i % 5) * 0.2)
    # a lucky draw at s_mid: established shoppers of other rooms follow and do not buy
    for i in range(100):
        market.follow(f"g{i:04d}", "s_mid", 90.0)
    model = TrustModel().fit(market.projection())
    fake, mid = row(model, "s_fake"), row(model, "s_mid")
    assert fake["trust"] < 0.8 * mid["trust"]
    assert fake["spam_mass"] > mid["spam_mass"]
    assert fake["credible_follower_share"] < 0.3 < mid["credible_follower_share"]
    assert mid["integrity"] > 0.99
    assert abs(fake["reputation"] - mid["reputation"]) < 0.02  # same shoppers' experience


def _ring(w: Tiny, streamer: str, members: int = 10, days=(20, 50, 80, 110, 140), returned: bool = False) -> int:
    """A brushing ring: fresh accounts buying at one streamer on the same campaign days."""
    n = 0
    for m in range(members):
        c = w.consumer(f"ring{m:03d}", registered=15.0)
        w.follow(c, streamer, 16.0)
        for d in days:
            w.order(c, streamer, "p1", d + 0.01 * m, returned=1 if returned else 0)
            n += 1
    return n


def _genuine(w: Tiny, streamer: str, n: int) -> None:
    """``n`` kept orders from established shoppers with a life elsewhere."""
    for i in range(n):
        c = w.consumer(f"real{i:04d}")
        w.order(c, "elsewhere", "p1", 10.0 + i % 150)
        w.order(c, streamer, "p1", 15.0 + (i * 3) % 150)


def test_brushing_ring_raises_trust_less_than_genuine_kept_orders(market):
    base_model = TrustModel().fit(market.projection())
    base = trust_of(base_model, "s_mid")

    ring_world = copy.deepcopy(market)
    n = _ring(ring_world, "s_mid")
    ring_model = TrustModel().fit(ring_world.projection())

    real_world = copy.deepcopy(market)
    _genuine(real_world, "s_mid", n)
    real_model = TrustModel().fit(real_world.projection())

    gain_ring = trust_of(ring_model, "s_mid") - base
    gain_real = trust_of(real_model, "s_mid") - base
    assert gain_real > 0
    assert gain_ring < gain_real
    assert gain_ring <= 0.25 * gain_real
    r = row(ring_model, "s_mid")
    assert r["lockstep_buyers"] == 10
    bonds = ring_model.consumer_streamer
    ring_cred = bonds[bonds["consumer_id"].str.startswith("ring")]["consumer_credibility"]
    assert (ring_cred < 0.2).all()


def test_factory_quality_is_separated_from_the_streamer():
    """Two factories of equal quality; X sold only by an exaggerating streamer, Y only by an
    honest one. Shared factories A and B, sold by both, reveal the streamers' own effects."""
    w = Tiny()
    for pid, fid in (("pa", "fA"), ("pb", "fB"), ("px", "fX"), ("py", "fY")):
        w.product(pid, fid)
    rng = np.random.default_rng(3)

    def sell(streamer, product, n, rate, prefix):
        for i in range(n):
            w.order(w.consumer(f"{prefix}{i:04d}"), streamer, product, 1 + 170 * i / n,
                    returned=int(rng.random() < rate))

    # streamer effect: honest 4 % extra, exaggerating 20 % extra; factory B is bad
    sell("honest", "pa", 400, 0.06, "ha")
    sell("honest", "pb", 400, 0.24, "hb")
    sell("exagg", "pa", 400, 0.22, "ea")
    sell("exagg", "pb", 400, 0.40, "eb")
    sell("honest", "py", 300, 0.06, "hy")
    sell("exagg", "px", 300, 0.22, "ex")
    model = TrustModel(half_life_days=1e9).fit(w.projection())
    f = model.factories.set_index("factory_id")
    assert f.loc["fA", "trust"] > f.loc["fB", "trust"]
    raw_gap = f.loc["fY", "return_rate"] - f.loc["fX", "return_rate"]
    assert raw_gap < -0.1  # X looks much worse on raw returns
    assert abs(f.loc["fX", "trust"] - f.loc["fY", "trust"]) < 0.5 * abs(raw_gap)
    assert trust_of(model, "honest") > trust_of(model, "exagg")
    p = model.products.set_index("product_id")
    assert p.loc["pa", "factory_id"] == "fA"
    assert p["confidence"].between(0, 1).all()


def test_bonds_reflect_the_pairs_history(market):
    w = market
    w.follow("g0001", "s_good", 10.0)  # loyal follower, buys again
    for d in (40, 70, 100, 130):
        w.order("g0001", "s_good", "p1", d)
    w.follow("g0002", "s_good", 10.0, until=120.0)  # returned and left
    for d in (40, 70):
        w.order("g0002", "s_good", "p1", d, returned=1)
    w.follow(w.consumer("watcher"), "s_good", 170.0)  # new follow, no purchase
    model = TrustModel().fit(w.projection())
    b = model.consumer_streamer.set_index(["consumer_id", "streamer_id"])
    loyal, broken, watcher = b.loc[("g0001", "s_good")], b.loc[("g0002", "s_good")], b.loc[("watcher", "s_good")]
    prior = trust_of(model, "s_good")
    assert loyal["trust"] > prior > broken["trust"]
    assert abs(watcher["trust"] - prior) < 0.05 and watcher["confidence"] < 0.1
    assert loyal["following"] and loyal["repeat_buyer"] and broken["unfollowed"]
    assert loyal["confidence"] > watcher["confidence"]
    assert set(b.index.get_level_values(1)) <= set(model.streamers["streamer_id"])


def test_same_input_same_output(market):
    p = market.projection()
    a, b = TrustModel().fit(p), TrustModel().fit(p)
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(a.results_[name], b.results_[name], check_exact=True)


def test_row_order_does_not_matter(market):
    p = market.projection()
    shuffled = Projection(**{k: v.sample(frac=1.0, random_state=1).reset_index(drop=True)
                             for k, v in p.tables().items()}, as_of=p.as_of)
    a, b = TrustModel().fit(p), TrustModel().fit(shuffled)
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(a.results_[name], b.results_[name], check_exact=False, rtol=1e-9, atol=1e-12)


def test_events_after_as_of_are_ignored(market):
    before = TrustModel().fit(market.projection(as_of=180.0))
    market.order(market.consumer("future"), "s_good", "p1", 200.0, returned=1)
    after = TrustModel().fit(market.projection(as_of=180.0))
    pd.testing.assert_frame_equal(before.streamers, after.streamers.loc[:, before.streamers.columns])


def test_without_as_of_the_latest_event_is_the_reference(market):
    p = market.projection(as_of=None)
    latest = max(p.orders["purchased_at"].max(), p.orders["first_returned_at"].max())
    assert TrustModel().fit(p).as_of_ == latest


def test_empty_and_orderless_projections():
    w = Tiny()
    w.follow(w.consumer("c1"), "s1", 10.0)
    model = TrustModel().fit(w.projection())
    s = row(model, "s1")
    assert 0 <= s["trust"] <= 1 and s["confidence"] == 0
    # no order at all: the prior is a kept probability of 0.5, not 0 (review: trust 0 everywhere)
    assert s["prior_kept"] == pytest.approx(0.5) and s["reputation"] == pytest.approx(0.5)
    empty = TrustModel().fit(Tiny().projection())
    assert all(len(empty.results_[n]) == 0 for n in OUTPUTS)


def test_one_sided_thin_evidence_keeps_an_open_interval():
    """Review: every order of the platform returned gave trust 0 with the interval [0, 0]."""
    w = Tiny()
    for i in range(3):
        w.order(w.consumer(f"c{i}"), "s1", "p1", 100.0 + i, returned=1)
    model = TrustModel().fit(w.projection())
    s = row(model, "s1")
    assert 0 < s["trust"] < 0.5 and s["trust_high"] > s["trust"] + 0.05
    assert all(abs(mu) < 5 for mu in model.diagnostics_["effects_mu"].values())


def test_orders_of_brand_new_accounts_are_reported_as_thin_evidence(market):
    """Review: consumers registered minutes before acting gave every streamer the same score
    (credibility ~0, so no order weighed anything) and the run said nothing."""
    from livetrust.graph.trust.job import thin_evidence

    assert thin_evidence(TrustModel().fit(market.projection()).diagnostics_["order_evidence"]) is None
    w = Tiny()
    for i in range(40):
        c = w.consumer(f"c{i}", registered=10.0 + i - 0.001)
        w.order(c, "s1" if i % 2 else "s2", "p1", 10.0 + i, returned=int(i % 4 == 0))
    evidence = TrustModel().fit(w.projection()).diagnostics_["order_evidence"]
    assert evidence["credibility"] < 0.05 < evidence["maturity"] and evidence["recency"] > 0.05
    assert "lowest factor credibility" in thin_evidence(evidence)


def test_a_refollow_counts_the_days_followed_not_the_gap():
    """Review: tenure ran from the first follow, so the weeks between an unfollow and a re-follow
    counted as following (59 days for 31 + 14 followed)."""
    w = Tiny()
    w.follow("c1", "s1", 100.0, until=131.0)  # 31 days
    w.follow("c1", "s1", 145.0, until=159.0)  # 14 days, after a 14-day gap
    w.follow("c2", "s1", 100.0, until=110.0)  # 10 days, then back for the last 20
    w.follow("c2", "s1", 160.0)
    w.follow("c3", "s1", 60.0)  # one open follow: 120 days, unchanged
    w.follow("c4", "s1", 80.0, until=170.0)  # 90 days, and a follow inside it sent as well: still 90
    w.follow("c4", "s1", 100.0, until=120.0)
    bonds = TrustModel().fit(w.projection(as_of=180.0)).results_["consumer_streamer"].set_index("consumer_id")
    assert bonds.loc["c1", "followed_days"] == pytest.approx(45.0) and bonds.loc["c1", "unfollowed"]
    assert bonds.loc["c2", "followed_days"] == pytest.approx(30.0) and bonds.loc["c2", "following"]
    assert bonds.loc["c3", "followed_days"] == pytest.approx(120.0)
    assert bonds.loc["c4", "followed_days"] == pytest.approx(90.0)
    assert bonds.loc["c2", "positive_evidence"] == pytest.approx(30.0 / 90.0)  # follow evidence at 30 of 90 days


def test_unknown_parameter_is_refused():
    with pytest.raises(TypeError):
        TrustModel(half_life=3)
    with pytest.raises(ValueError):
        TrustModel(half_life_days=0)


@pytest.mark.parametrize("per_block", [1, 13, 500])
def test_bonds_in_blocks_equal_the_bonds_of_all_pairs(per_block, tmp_path_factory):
    """The bond table scored in blocks of pairs is the table of all pairs at once, exactly.
    The world has repeat orders per pair, refollows (several follows per pair) and unfollows."""
    from livetrust.graph.trust import bonds as bonds_module
    from livetrust.graph.trust.credibility import consumer_credibility
    from livetrust.graph.trust.evidence import build_evidence
    from livetrust.world import generate_world

    world = tmp_path_factory.mktemp("bonds") / "w"
    generate_world(world, scale="xs", seed=4)
    ev = build_evidence(Projection.from_folder(world), 60.0)
    # refollows: 40 pairs followed again later, 10 of them twice on the same day with different
    # ends (the last in the stream decides, whatever the block)
    again = np.r_[np.arange(40), np.arange(10)]
    ev = dataclasses.replace(
        ev, f_consumer=np.r_[ev.f_consumer, ev.f_consumer[again]], f_streamer=np.r_[ev.f_streamer, ev.f_streamer[again]],
        f_age=np.r_[ev.f_age, np.maximum(ev.f_age[again] - 1.0, 0.0)],
        f_end_age=np.r_[ev.f_end_age, np.where(np.arange(len(again)) < 40, np.nan, 0.5)])
    cred = consumer_credibility(ev)
    trust = np.linspace(0.2, 0.9, ev.n_streamers)
    whole = bonds_module.bond_table(ev, cred, trust, pairs_per_block=10**9)
    blocked = bonds_module.bond_table(ev, cred, trust, pairs_per_block=per_block)
    pd.testing.assert_frame_equal(blocked, whole, check_exact=True)
    # by hand: a pair's latest follow decides; of two on the same day, the later in the stream
    bond = blocked.set_index(["consumer_id", "streamer_id"])
    ids = ev.consumer_ids.to_numpy(dtype=object), ev.streamer_ids.to_numpy(dtype=object)
    for i in range(40):
        key = (ids[0][ev.f_consumer[i]], ids[1][ev.f_streamer[i]])
        assert bool(bond.loc[key, "unfollowed"]) is (i < 10) and bool(bond.loc[key, "following"]) is (i >= 10)
    assert (whole["orders"] >= 2).any()
    assert len(whole) > 10 * per_block or per_block == 500
