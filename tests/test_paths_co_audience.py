"""The co-audience index (graph/paths/co_audience.py) against a brute-force count on known graphs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from livetrust.graph.paths import build_index
from livetrust.graph.paths.co_audience import co_audience, co_audience_chunks
from livetrust.graph.paths.inputs import TrustInputs
from test_paths_world import hand_projection, hand_trust


def brute_force(bonds: pd.DataFrame, keep: int) -> dict[tuple[str, str], list[tuple[str, float, float]]]:
    """(s1, s2) -> [(c, b(c, s1), b(c, s2))] best first by b·b, ties by consumer id; positive bonds only."""
    by_consumer: dict[str, dict[str, float]] = {}
    for c, s, t in bonds[["consumer_id", "streamer_id", "trust"]].itertuples(index=False):
        if t > 0:
            by_consumer.setdefault(c, {})[s] = t
    pairs: dict[tuple[str, str], list] = {}
    for c, mine in by_consumer.items():
        for s1, s2 in itertools.permutations(sorted(mine), 2):
            pairs.setdefault((s1, s2), []).append((c, mine[s1], mine[s2]))
    return {k: sorted(v, key=lambda e: (-e[1] * e[2], e[0]))[:keep] for k, v in pairs.items()}


def as_dict(table: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, float, float]]]:
    """Both directions of every pair row, as brute_force lists them."""
    out: dict[tuple[str, str], list] = {}
    for row in table.itertuples(index=False):
        assert len(row.vias) == len(row.via_trust) == len(row.partner_trust) > 0
        assert (row.partner_id, row.streamer_id) not in out  # one row per unordered pair
        out[(row.streamer_id, row.partner_id)] = list(zip(row.vias, row.via_trust, row.partner_trust))
        out[(row.partner_id, row.streamer_id)] = list(zip(row.vias, row.partner_trust, row.via_trust))
    return out


def test_hand_world_matches_brute_force():
    trust = hand_trust()
    table = co_audience(build_index(hand_projection(), trust), keep=2)
    assert as_dict(table) == brute_force(trust.consumer_streamer, keep=2)
    assert len(table) == len(brute_force(trust.consumer_streamer, keep=2)) // 2


def test_three_consumers_by_hand():
    """c1, c2, c3 all bond to s1 and s2; c3 also to s3. b·b on (s1, s2): c1 0.9·0.5=0.45,
    c2 0.5·0.9=0.45 (tie: c1 first), c3 0.2·0.2=0.04."""
    bonds = pd.DataFrame({
        "consumer_id": ["c1", "c1", "c2", "c2", "c3", "c3", "c3"],
        "streamer_id": ["s1", "s2", "s1", "s2", "s1", "s2", "s3"],
        "trust": [0.9, 0.5, 0.5, 0.9, 0.2, 0.2, 0.0],  # c3's bond to s3 is zero: no edge
    })
    projection = hand_projection()
    trust = TrustInputs(bonds, pd.DataFrame({"streamer_id": ["s1", "s2", "s3"], "trust": [0.5] * 3}),
                        pd.DataFrame({"product_id": [], "trust": []}), pd.DataFrame({"factory_id": [], "trust": []}))
    projection.follows = projection.follows.iloc[0:0]
    projection.orders = projection.orders.iloc[0:0]
    table = co_audience(build_index(projection, trust), keep=2)
    assert len(table) == 1                                   # s3 has no positive bond: no pair
    row = table.iloc[0]
    assert {row["streamer_id"], row["partner_id"]} == {"s1", "s2"}
    assert row["vias"] == ["c1", "c2"]                       # c3 cut by keep=2
    by_s1 = row["via_trust"] if row["streamer_id"] == "s1" else row["partner_trust"]
    by_s2 = row["partner_trust"] if row["streamer_id"] == "s1" else row["via_trust"]
    assert by_s1 == [0.9, 0.5] and by_s2 == [0.5, 0.9]


def test_random_graph_matches_brute_force():
    rng = np.random.default_rng(4)
    rows = {(f"c{rng.integers(60):02d}", f"s{rng.integers(12):02d}") for _ in range(400)}
    bonds = pd.DataFrame(sorted(rows), columns=["consumer_id", "streamer_id"])
    bonds["trust"] = np.round(rng.uniform(0, 1, len(bonds)), 1)  # coarse: many exact ties
    projection = hand_projection()
    projection.follows = projection.follows.iloc[0:0]
    projection.orders = projection.orders.iloc[0:0]
    streamers = pd.DataFrame({"streamer_id": sorted(bonds["streamer_id"].unique()), "trust": 0.5})
    trust = TrustInputs(bonds, streamers, pd.DataFrame({"product_id": [], "trust": []}),
                        pd.DataFrame({"factory_id": [], "trust": []}))
    index = build_index(projection, trust)
    for keep in (1, 3):
        expected = brute_force(bonds, keep)
        assert as_dict(co_audience(index, keep=keep)) == expected
        # consumers in blocks of a few pair entries each, cut to the best per pair block by block
        whole = co_audience(index, keep=keep, block_entries=10**9)
        for block_entries in (1, 7, 40):
            blocked = co_audience(index, keep=keep, block_entries=block_entries)
            assert as_dict(blocked) == expected
            pd.testing.assert_frame_equal(blocked, whole)
        chunks = list(co_audience_chunks(index, keep, rows=5, block_entries=7))  # as the paths job writes them
        assert max(len(chunk) for chunk in chunks) == 5 and len(chunks) == -(-len(whole) // 5)
        pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)


def test_no_shared_consumer_gives_an_empty_table_of_the_same_types():
    """Every consumer bonds to one streamer only: no pair, and the empty table's columns have
    the dtypes of a full one (a concat of the two keeps them)."""
    full = co_audience(build_index(hand_projection(), hand_trust()), keep=2)
    bonds = pd.DataFrame({"consumer_id": ["c1", "c2"], "streamer_id": ["s1", "s2"], "trust": [0.9, 0.4]})
    projection = hand_projection()
    projection.follows = projection.follows.iloc[0:0]
    projection.orders = projection.orders.iloc[0:0]
    trust = TrustInputs(bonds, pd.DataFrame({"streamer_id": ["s1", "s2"], "trust": [0.5] * 2}),
                        pd.DataFrame({"product_id": [], "trust": []}), pd.DataFrame({"factory_id": [], "trust": []}))
    empty = co_audience(build_index(projection, trust))
    assert len(full) > 0 and len(empty) == 0
    assert empty.columns.tolist() == full.columns.tolist()
    assert empty.dtypes.tolist() == full.dtypes.tolist()
    assert list(co_audience_chunks(build_index(projection, trust))) == []


def test_consumer_blocks_cover_every_consumer_once():
    from scipy.sparse import csr_matrix

    from livetrust.graph.paths.co_audience import _consumer_blocks

    degrees = np.array([0, 3, 1, 5, 0, 2, 2])  # pair entries 0, 9, 1, 25, 0, 4, 4
    indptr = np.concatenate([[0], np.cumsum(degrees)])
    BT = csr_matrix((np.ones(indptr[-1]), np.arange(indptr[-1]) % 5, indptr), shape=(len(degrees), 5))
    assert _consumer_blocks(BT, 10) == [(0, 3), (3, 4), (4, 7)]  # the 25-entry consumer alone
    assert _consumer_blocks(BT, 1000) == [(0, 7)]
    assert _consumer_blocks(BT[:0], 10) == []


def test_keep_must_be_positive():
    with pytest.raises(ValueError, match="keep must be at least 1"):
        co_audience(build_index(hand_projection(), hand_trust()), keep=0)
