"""Best paths, reach, bridges and demand made one block of factories at a time equal the whole computation.

A random world with ties (bond trusts on a 0.1 grid), factories without carriers and
buyers without a bond path; every block size from one factory per block to one block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livetrust.graph.paths import TrustInputs, best_paths, bridges, build_index, compute_paths, factory_reach
from livetrust.graph.paths import demand as demand_module
from livetrust.graph.paths import reach as reach_module
from livetrust.graph.paths.reach import best_path_blocks
from livetrust.graph.projection import Projection

N_FACTORIES, N_PRODUCTS, N_STREAMERS, N_CONSUMERS = 15, 60, 25, 400
BLOCK_SIZES = [1, 7, 60, 500, 10**12]
FIELDS = ("factory", "consumer", "best", "via", "second", "direct")


def random_world(seed: int = 3) -> tuple[Projection, TrustInputs]:
    rng = np.random.default_rng(seed)
    factories = [f"F{i:02d}" for i in range(N_FACTORIES)]
    streamers = [f"S{i:02d}" for i in range(N_STREAMERS)]
    consumers = [f"C{i:03d}" for i in range(N_CONSUMERS)]
    products = pd.DataFrame({
        "product_id": [f"P{i:02d}" for i in range(N_PRODUCTS)],
        "factory_id": rng.choice(factories[:-2], N_PRODUCTS),  # the last two factories sell nothing
        "category": rng.choice(["beauty", "food", "home"], N_PRODUCTS),
    })
    n_orders = 1500
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(n_orders)],
        "consumer_id": rng.choice(consumers, n_orders),
        "streamer_id": rng.choice(streamers, n_orders),
        "product_id": rng.choice(products["product_id"], n_orders),
        "quantity": rng.integers(1, 4, n_orders),
        "amount": rng.uniform(5, 200, n_orders).round(2),
        "returned_quantity": rng.integers(0, 2, n_orders),
    })
    follows = pd.DataFrame({"consumer_id": rng.choice(consumers, 300), "streamer_id": rng.choice(streamers, 300)})
    projection = Projection(
        pd.DataFrame({"factory_id": factories}), pd.DataFrame({"streamer_id": streamers}), products,
        pd.DataFrame({"consumer_id": consumers, "region": rng.choice(["east", "west", None], N_CONSUMERS)}),
        follows, orders,
    )
    pairs = rng.choice(N_CONSUMERS * N_STREAMERS, 500, replace=False)
    bonds = pd.DataFrame({
        "consumer_id": np.asarray(consumers)[pairs // N_STREAMERS],
        "streamer_id": np.asarray(streamers)[pairs % N_STREAMERS],
        "trust": rng.integers(0, 11, len(pairs)) / 10,  # ties, and zeros (no edge)
    })
    trust = TrustInputs(
        bonds,
        pd.DataFrame({"streamer_id": streamers, "trust": rng.uniform(0, 1, N_STREAMERS)}),
        pd.DataFrame({"product_id": products["product_id"][:-5], "trust": rng.uniform(0, 1, N_PRODUCTS - 5)}),
        pd.DataFrame({"factory_id": factories, "trust": rng.uniform(0, 1, N_FACTORIES)}),
    )
    return projection, trust


@pytest.fixture(scope="module")
def index():
    projection, trust = random_world()
    return build_index(projection, trust, carry_prior=2.0)


def test_best_paths_agree_with_a_dense_brute_force(index):
    K = index.K.toarray()
    B = index.B.toarray()
    value = K[:, :, None] * B[None, :, :]  # factory × streamer × consumer: k · b, as the expansion multiplies
    best = value.max(axis=1)
    bp = best_paths(index, block_rows=7)
    bought = np.zeros_like(best, bool)
    bought[index.o_factory, index.o_consumer] = True
    f, c = np.nonzero((best > 0) | bought)
    assert np.array_equal(bp.factory, f) and np.array_equal(bp.consumer, c)
    assert np.array_equal(bp.best, best[f, c])
    assert np.array_equal(bp.direct, bought[f, c])
    v = value[f, :, c]  # pairs × streamers
    has = v.max(axis=1) > 0
    assert np.array_equal(bp.via, np.where(has, np.argmax(v == best[f, c][:, None], axis=1), -1))
    ties = (v == best[f, c][:, None]).sum(axis=1) >= 2
    others = np.where(v == best[f, c][:, None], 0.0, v).max(axis=1)
    assert np.array_equal(bp.second, np.where(ties & has, best[f, c], others))
    assert (bp.via == -1).sum() > 0 and ties.sum() > 0  # the world has buyers without a path, and ties


@pytest.mark.parametrize("block_rows", BLOCK_SIZES)
def test_blocks_concatenated_are_the_best_paths(index, block_rows):
    whole = best_paths(index, block_rows=10**12)
    blocks = list(best_path_blocks(index, block_rows=block_rows))
    if block_rows == 1:  # one factory with bond paths per block
        assert all(len(np.unique(b.factory[b.via >= 0])) <= 1 for b in blocks) and len(blocks) > N_FACTORIES // 2
    if block_rows == 10**12:
        assert len(blocks) == 1
    for name in FIELDS:
        joined = np.concatenate([getattr(b, name) for b in blocks])
        assert joined.dtype == getattr(whole, name).dtype, name
        assert np.array_equal(joined, getattr(whole, name)), name
    for b in blocks:  # each block holds whole factories, in order
        assert np.all(np.diff(b.factory) >= 0)
    firsts = [b.factory[0] for b in blocks if len(b)]
    lasts = [b.factory[-1] for b in blocks if len(b)]
    assert all(last < first for last, first in zip(lasts[:-1], firsts[1:]))


@pytest.mark.parametrize("block_rows", BLOCK_SIZES)
@pytest.mark.parametrize("top_k", [None, 1, 3])
def test_blocked_reach_equals_reach_of_all_pairs(index, block_rows, top_k, monkeypatch):
    expected = factory_reach(index, top_k=top_k, paths=best_paths(index, block_rows=10**12))
    monkeypatch.setattr(reach_module, "BLOCK_ROWS", block_rows)
    pd.testing.assert_frame_equal(factory_reach(index, top_k=top_k), expected, check_exact=True)
    assert len(expected) > (1000 if top_k is None else 20)


@pytest.mark.parametrize("block_rows", BLOCK_SIZES)
def test_blocked_bridges_equal_bridges_of_all_pairs(index, block_rows, monkeypatch):
    expected = bridges(index, paths=best_paths(index, block_rows=10**12))
    monkeypatch.setattr(reach_module, "BLOCK_ROWS", block_rows)
    pd.testing.assert_frame_equal(bridges(index), expected, check_exact=True)
    assert expected["factory_id"].nunique() > 5


@pytest.mark.parametrize("block_rows", [1, 60, 10**12])
def test_compute_paths_does_not_depend_on_the_block_size(block_rows, monkeypatch):
    projection, trust = random_world(seed=11)
    monkeypatch.setattr(reach_module, "BLOCK_ROWS", 10**12)
    whole = compute_paths(projection, trust, top_k=5)
    monkeypatch.setattr(reach_module, "BLOCK_ROWS", block_rows)
    blocked = compute_paths(projection, trust, top_k=5)
    for name, frame in whole.frames().items():
        pd.testing.assert_frame_equal(blocked.frames()[name], frame, check_exact=True)
    assert list(blocked.timings) == ["index", "channels", "best_paths", "reach", "bridges", "demand"]


def test_audience_agrees_with_a_dense_brute_force(index):
    # the definition: direct buyers, and consumers with a bond edge to a streamer that sold the factory's products
    sold = (index.FP @ index.PS_orders).toarray() > 0  # factory × streamer
    bonded = (sold.astype(int) @ (index.B.toarray() != 0).astype(int)) > 0
    bought = np.zeros_like(bonded)
    bought[index.o_factory, index.o_consumer] = True
    audience = demand_module.audience_matrix(index)
    assert (audience.toarray() == (bonded | bought)).all()
    assert set(np.unique(audience.data)) == {1.0}
    assert (bonded & ~bought).any() and (bought & ~bonded).any()  # both kinds of member are exercised


@pytest.mark.parametrize("block_pairs", [1, 7, 60, 500, 10**12])
def test_blocked_demand_equals_demand_of_one_block(index, block_pairs):
    whole = demand_module.factory_demand(index, block_pairs=10**12)
    blocked = demand_module.factory_demand(index, block_pairs=block_pairs)
    assert len(whole) > 20
    pd.testing.assert_frame_equal(blocked, whole, check_exact=True)
    rows = list(demand_module.audience_blocks(index, block_pairs=block_pairs))
    assert rows[0][0] == 0 and sum(r.shape[0] for _, r in rows) == index.n_factories
    if block_pairs == 1:  # at most one factory with an audience per block (those without join a block)
        assert all(np.count_nonzero(np.diff(r.indptr)) <= 1 for _, r in rows) and len(rows) >= 13


def test_demand_gmv_is_the_sum_over_the_audience(index):
    # gmv of one (factory, region, category) cell, summed by hand over the audience's orders
    demand = demand_module.factory_demand(index, block_pairs=7)
    audience = demand_module.audience_matrix(index).toarray() > 0
    regions, categories = index.consumer_region.astype(str), index.product_category.astype(str)  # "unknown" filled
    row = demand.iloc[len(demand) // 2]
    f = list(index.factory_ids).index(row["factory_id"])
    mine = (audience[f, index.o_consumer] & (regions[index.o_consumer] == row["region"])
            & (categories[index.o_product] == row["category"]))
    assert row["orders"] == mine.sum() > 0
    assert row["gmv"] == pytest.approx(index.o_amount[mine].sum())
