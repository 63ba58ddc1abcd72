"""Each algorithm module of livetrust.graph.trust against hand-computed or reference answers."""

from __future__ import annotations

import doctest

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from scipy.special import expit

from livetrust.graph import _arrays
from livetrust.graph.trust import (
    beta, bonds, credibility, effects, eigentrust, evidence, integrity, io, job, lockstep, model, products,
    shrinkage, streamers,
)


@pytest.mark.parametrize("module", [_arrays, beta, shrinkage, eigentrust, lockstep, effects, credibility, evidence,
                                    integrity, streamers, products, bonds, model, io, job])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_unique_equals_numpy_unique():
    rng = np.random.default_rng(3)
    for values in (rng.integers(-50, 50, 1000), rng.integers(0, 2**40, 5000), np.array([], np.int64),
                   np.array([7, 7, 7], np.int32)):
        got = _arrays.unique(values)
        assert got.dtype == values.dtype and got.tolist() == np.unique(values).tolist()


# ---- beta reputation
def test_decay_halves_every_half_life():
    assert beta.decay(np.array([0.0, 45.0, 90.0, 180.0]), 90.0).tolist() == pytest.approx([1, 2 ** -0.5, 0.5, 0.25])
    assert beta.decay(np.array([-3.0]), 10.0).tolist() == [1.0]  # the future counts as now
    assert beta.decay(np.array([1e6]), float("inf")).tolist() == [1.0]


def test_beta_posterior_and_interval_match_scipy():
    a, b = beta.posterior(np.array([8.0, 0.0]), np.array([2.0, 0.0]), 0.5, 2.0)
    assert a.tolist() == [9.0, 1.0] and b.tolist() == [3.0, 1.0]
    lo, hi = beta.interval(a, b, 0.9)
    assert lo == pytest.approx(stats.beta.ppf(0.05, a, b)) and hi == pytest.approx(stats.beta.ppf(0.95, a, b))
    assert beta.expectation(a, b).tolist() == pytest.approx([0.75, 0.5])
    assert beta.evidence_confidence(np.array([0.0, 2.0]), 2.0).tolist() == [0.0, 0.5]


# ---- small-sample rates
def test_wilson_lower_bound_by_hand():
    # 9 of 10 at 95 %: (p + z^2/2n - z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    z, n, p = 1.959963985, 10.0, 0.9
    expected = (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)
    got = shrinkage.wilson_lower_bound(np.array([9.0, 0.0]), np.array([10.0, 0.0]), level=0.95)
    assert got[0] == pytest.approx(expected) and got[1] == 0.0
    # one success out of one is far below a thousand out of a thousand
    one, many = shrinkage.wilson_lower_bound(np.array([1.0, 1000.0]), np.array([1.0, 1000.0]))
    assert one < 0.5 < many


def test_empirical_bayes_prior_strength_is_recovered():
    rng = np.random.default_rng(1)
    p = rng.beta(18.0, 2.0, 3000)  # strength 20
    n = rng.integers(20, 400, 3000).astype(float)
    k = shrinkage.fit_beta_prior(rng.binomial(n.astype(int), p).astype(float), n)
    assert 14 < k < 28
    # no spread beyond noise -> maximal shrinkage
    same = np.full(500, 0.9)
    assert shrinkage.fit_beta_prior(rng.binomial(100, same).astype(float), np.full(500, 100.0)) >= 200
    assert shrinkage.shrink(np.array([1.0]), np.array([1.0]), 0.5, 9.0)[0] == pytest.approx(0.55)


# ---- propagation
def _random_graph(n: int, m: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = rows != cols
    a = sp.csr_matrix((rng.uniform(0.1, 2.0, keep.sum()), (rows[keep], cols[keep])), shape=(n, n))
    a.sum_duplicates()
    return a


def test_propagation_matches_networkx_pagerank():
    a = _random_graph(300, 1500, 4)
    rng = np.random.default_rng(5)
    seeds = np.where(rng.random(300) < 0.2, rng.random(300), 0.0)
    g = nx.DiGraph()
    g.add_nodes_from(range(300))
    coo = a.tocoo()
    g.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()))
    ref = nx.pagerank(g, alpha=0.85, personalization={i: float(v) for i, v in enumerate(seeds)}, tol=1e-12,
                      max_iter=1000, weight="weight")
    ours = eigentrust.propagate(a, seeds / seeds.sum(), alpha=0.85, tol=1e-13, max_iter=1000).scores
    assert np.allclose(ours, [ref[i] for i in range(300)], atol=1e-9)


def test_propagation_keeps_each_columns_mass_and_eigentrust_favours_the_pretrusted():
    a = _random_graph(50, 200, 7)
    v = np.column_stack([np.ones(50), np.arange(50.0)])
    res = eigentrust.propagate(a, v, alpha=0.7)
    assert res.scores.sum(axis=0) == pytest.approx(v.sum(axis=0))
    assert res.delta < 1e-9
    # a clique that only trusts itself gets nothing unless it is pre-trusted (EigenTrust's collective)
    clique = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=float))
    t = eigentrust.eigentrust(clique, np.array([1.0, 1.0, 0.0, 0.0]), a=0.2)
    assert t[:2].sum() == pytest.approx(1.0) and t[2:].sum() == pytest.approx(0.0)


def test_spam_mass_separates_what_suspects_prop_up():
    # 0..4 good consumers -> streamer 10; 5..9 suspect accounts -> streamer 11; consumer 4 also -> 11
    edges = [(c, 10) for c in range(5)] + [(c, 11) for c in range(5, 10)] + [(4, 11)]
    r, c = zip(*edges)
    a = sp.csr_matrix((np.ones(len(edges)), (r, c)), shape=(12, 12))
    a = a + a.T
    good = np.array([1.0] * 5 + [0.0] * 5 + [0.0, 0.0])
    weight = np.array([1.0] * 10 + [0.0, 0.0])  # streamers do not teleport
    mass, pr, res = eigentrust.spam_mass(a, good, alpha=0.5, weight=weight)
    assert mass[11] > 0.7 and mass[10] < 0.4
    # without the shopper who bridges the two rooms, nothing suspect reaches streamer 10
    a2 = a.tolil()
    a2[4, 11] = a2[11, 4] = 0
    mass2, _, _ = eigentrust.spam_mass(a2.tocsr(), good, alpha=0.5, weight=weight)
    assert mass2[10] == pytest.approx(0.0, abs=1e-12) and mass2[11] == pytest.approx(1.0)
    assert res.iterations < 200


# ---- lockstep
def test_lockstep_finds_the_ring_not_the_promotion_crowd():
    rng = np.random.default_rng(0)
    cons, strm, days = [], [], []
    # 200 genuine repeat buyers of streamer 0, 4 days each, half of them on promotion days 30 and 60
    for c in range(200):
        d = list(rng.choice(np.arange(1, 180), 2, replace=False)) + ([30, 60] if c % 2 else list(rng.integers(1, 180, 2)))
        cons += [c] * len(d)
        strm += [0] * len(d)
        days += d
    # a ring of 8 accounts at streamer 0 on the same 5 campaign days
    for m in range(8):
        for d in (11, 47, 83, 120, 150):
            cons.append(1000 + m)
            strm.append(0)
            days.append(d)
    r = lockstep.lockstep_partners(np.array(cons), np.array(strm), np.array(days), 1)
    partners = dict(zip(r.consumer.tolist(), r.partners.tolist()))
    assert all(partners[1000 + m] == 7 for m in range(8))
    genuine = np.array([partners.get(c, 0) for c in range(200)])
    assert (genuine >= 2).mean() < 0.02


# ---- effects
def test_additive_effects_recover_a_confounded_truth():
    rng = np.random.default_rng(2)
    S, F, per_f = 40, 20, 5
    P = F * per_f
    u = rng.normal(0, 0.6, S)
    phi = rng.normal(0, 0.6, F)
    pf = np.repeat(np.arange(F), per_f)
    # confounding: good streamers (low u) prefer good factories (low phi)
    n = 60_000
    s = rng.integers(0, S, n)
    pref = np.exp(-2.0 * np.outer(u, phi))
    prob = pref[s][:, pf] / pref[s][:, pf].sum(axis=1, keepdims=True)
    p = (prob.cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + u[s] + phi[pf[p]])))).astype(float)
    e = effects.fit_effects(s, p, pf, y, np.ones(n), S, P, F)
    assert np.corrcoef(e.effect["factory"], phi)[0, 1] > 0.9
    assert np.corrcoef(e.effect["streamer"], u)[0, 1] > 0.9
    assert e.mu == pytest.approx(-2.0, abs=0.3)
    assert ((e.confidence("factory") > 0) & (e.confidence("factory") < 1)).all()
    # raw factory return rates are contaminated by their sellers; the effects are not
    raw = pd.Series(y).groupby(pf[p]).mean().to_numpy()
    assert abs(np.corrcoef(e.effect["factory"], phi)[0, 1]) > abs(np.corrcoef(raw, phi)[0, 1]) - 0.02


def test_effects_with_no_orders():
    e = effects.fit_effects(np.zeros(0, int), np.zeros(0, int), np.array([0, -1]), np.zeros(0), np.zeros(0), 2, 2, 1)
    assert e.effect["streamer"].tolist() == [0.0, 0.0] and e.confidence("product").tolist() == [0.0, 0.0]


def test_effects_intercept_has_a_weak_prior():
    """Review: one-sided thin data walked mu to 37.7 (every weighted order returned), and no usable
    evidence put it at 0 (a return risk of 0.5 in every class: trust 0 everywhere)."""
    none = effects.fit_effects(np.zeros(1, int), np.zeros(1, int), np.array([0]), np.ones(1), np.zeros(1), 1, 1, 1)
    assert none.mu == pytest.approx(np.log(0.25 / 0.75))  # logit of the prior rate
    one = effects.fit_effects(np.zeros(1, int), np.zeros(1, int), np.array([0]), np.ones(1), np.ones(1), 1, 1, 1)
    # one returned order against one pseudo-order returned at 25 %: between the two, well inside
    assert np.log(0.25 / 0.75) < one.mu < np.log(0.75 / 0.25)
    kept = effects.fit_effects(np.zeros(3, int), np.zeros(3, int), np.array([0]), np.zeros(3), np.full(3, 1e-9), 1, 1, 1)
    assert kept.mu == pytest.approx(np.log(0.25 / 0.75), abs=1e-6)  # evidence of no weight moves nothing
    many = effects.fit_effects(np.zeros(10_000, int), np.zeros(10_000, int), np.array([0]),
                               (np.arange(10_000) < 1_000).astype(float), np.ones(10_000), 1, 1, 1)
    assert expit(many.mu + many.effect["streamer"][0] + many.effect["factory"][0]
                 + many.effect["product"][0]) == pytest.approx(0.1, abs=1e-3)  # the data speaks over the prior
    with pytest.raises(ValueError, match="intercept_prior"):
        effects.fit_effects(np.zeros(1, int), np.zeros(1, int), np.array([0]), np.ones(1), np.zeros(1), 1, 1, 1,
                            intercept_prior=(0.25, 0.0))  # no orders and no prior: mu would be 0/0


# ---- evidence: maturity of the return window
def _projection(orders: pd.DataFrame, as_of: str):
    from livetrust.graph.projection import Projection

    empty = lambda *cols: pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})  # noqa: E731
    return Projection(
        factories=empty("factory_id", "name", "region"), streamers=empty("streamer_id", "name", "category", "region"),
        products=pd.DataFrame({"product_id": ["p"], "factory_id": ["f"], "name": [""], "category": [""], "price": [1.0]}),
        consumers=empty("consumer_id", "region", "registered_at"),
        follows=pd.DataFrame({"consumer_id": pd.Series([], dtype=object), "streamer_id": pd.Series([], dtype=object),
                              "followed_at": pd.Series([], dtype="datetime64[ns, UTC]"),
                              "unfollowed_at": pd.Series([], dtype="datetime64[ns, UTC]")}),
        orders=orders, as_of=pd.Timestamp(as_of, tz="UTC"))


def test_maturity_discounts_orders_too_young_to_have_been_returned():
    t = pd.Timestamp("2026-03-01", tz="UTC")
    n = 40
    bought = [t - pd.Timedelta(days=30 + i) for i in range(n)] + [t - pd.Timedelta(hours=12)]
    returned = [i % 2 for i in range(n)] + [0]
    delays = [pd.Timedelta(days=1 + i % 7) for i in range(n)] + [pd.Timedelta(0)]
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n + 1)], "consumer_id": "c", "streamer_id": "s", "product_id": "p",
        "quantity": 1, "amount": 1.0, "purchased_at": bought, "returned_quantity": returned,
        "first_returned_at": [b + d if r else pd.NaT for b, d, r in zip(bought, delays, returned)],
    })
    ev = evidence.build_evidence(_projection(orders, "2026-03-01"), 90.0)
    assert ev.o_maturity[:n].min() == 1.0
    assert ev.o_maturity[n] == 0.0  # half a day old: no return could have shown up yet
    assert ev.maturity(np.array([3.5]))[0] == pytest.approx((np.array([1 + i % 7 for i in range(0, n, 2)]) <= 3.5).mean())


def test_lockstep_is_the_same_whatever_the_block_of_pairs():
    """B B^T is built in blocks of bonds to bound memory: one bond per block, a few, or all at
    once give the same partners (rings at two streamers among random repeat buyers)."""
    rng = np.random.default_rng(3)
    cons, strm, days = [], [], []
    for c in range(300):  # repeat buyers, 3-6 days each, at one of 3 streamers
        n = int(rng.integers(3, 7))
        cons += [c] * n
        strm += [c % 3] * n
        days += rng.integers(0, 120, n).tolist()
    for s, base in ((0, 1000), (2, 2000)):  # a ring of 6 accounts per streamer on the same 4 days
        for m in range(6):
            cons += [base + m] * 4
            strm += [s] * 4
            days += [5, 17, 23, 31]
    args = (np.array(cons), np.array(strm), np.array(days), 3)
    whole = lockstep.lockstep_partners(*args, pairs_per_block=10**12)
    ring = dict(zip(whole.consumer.tolist(), whole.partners.tolist()))
    assert all(ring[1000 + m] == 5 and ring[2000 + m] == 5 for m in range(6))
    for budget in (1, 7, 500):
        part = lockstep.lockstep_partners(*args, pairs_per_block=budget)
        for field in ("consumer", "streamer", "days", "partners"):
            np.testing.assert_array_equal(getattr(part, field), getattr(whole, field), err_msg=f"{field}, {budget}")


def test_lockstep_pairs_by_block_match_the_dense_product():
    """The blocked B B^T: every bond's peers (others sharing any day) and the pairs a < b whose
    sharing is large, against the dense product of a small random incidence matrix."""
    import scipy.sparse as sp

    rng = np.random.default_rng(5)
    dense = (rng.random((60, 25)) < 0.15).astype(np.float32)
    dense[dense.sum(axis=1) == 0, 0] = 1.0  # every bond has a day
    inc = sp.csr_matrix(dense)
    days = dense.sum(axis=1).astype(np.float64)
    co = dense @ dense.T
    want_peers = (co > 0).sum(axis=1) - 1
    a, b = np.triu_indices(60, k=1)
    large = (co[a, b] >= 2) & (co[a, b] >= 0.5 * np.minimum(days[a], days[b]))
    want = sorted(zip(a[large].tolist(), b[large].tolist(), co[a, b][large].astype(int).tolist()))
    for budget in (1, 40, 10**9):
        peers, pa, pb, shared = lockstep._large_sharings(inc, days, 2, 0.5, budget)
        np.testing.assert_array_equal(peers, want_peers, err_msg=str(budget))
        assert sorted(zip(pa.tolist(), pb.tolist(), shared.tolist())) == want, budget
