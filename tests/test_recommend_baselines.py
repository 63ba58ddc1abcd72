"""Baselines on a tiny matrix whose scores are computed by hand.

Users x items (3 x 3)::

    u0: i0 i1
    u1:    i1 i2
    u2: i0
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from livetrust.graph.recommend import FollowedSellers, ItemKNN, MostPopular, RP3beta
from livetrust.graph.recommend.common import MatrixRecommender, top_k_dense, top_k_sparse, top_k_sparse_rows

X = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]], dtype=float))
R2 = 1 / math.sqrt(2)


def test_rp3beta_scores_by_hand():
    # P_ui rows: u0 [.5 .5 0], u1 [0 .5 .5], u2 [1 0 0]; P_iu rows: i0 {u0 .5, u2 .5}, i1 {u0 .5, u1 .5}, i2 {u1 1}
    # W = P_iu P_ui = [[.75 .25 0], [.25 .5 .25], [0 .5 .5]]; columns / degree**0.5 (2, 2, 1); diagonal removed
    m = RP3beta(alpha=1.0, beta=0.5, k=10).fit(X)
    W = np.array([[0, 0.25 * R2, 0], [0.25 * R2, 0, 0.25], [0, 0.5 * R2, 0]])
    assert m.W_.toarray() == pytest.approx(W)
    assert m.score_block(np.arange(3)) == pytest.approx(X.toarray() @ W)
    idx, vals = m.recommend(1)
    assert idx[:, 0].tolist() == [2, 0, 1]
    assert vals[:, 0] == pytest.approx([0.25, 0.25 * R2, 0.25 * R2], rel=1e-5)


def test_rp3beta_alpha_beta_zero_and_pruning():
    m = RP3beta(alpha=1.0, beta=0.0, k=1).fit(X)
    # beta 0: W without penalty, diagonal removed, then the best neighbour per item only
    # (i1's two neighbours tie at .25: the lower code wins)
    assert m.W_.toarray() == pytest.approx(np.array([[0, 0.25, 0], [0.25, 0, 0], [0, 0.5, 0]]))
    m2 = RP3beta(alpha=2.0, beta=0.0, k=10).fit(X)
    # alpha 2 squares the transition probabilities first: i0 -> i1 = .5^2 * .5^2 = 1/16
    assert m2.W_[0, 1] == pytest.approx(1 / 16)


def test_itemknn_cosine_by_hand():
    # item vectors over users: i0 (1,0,1), i1 (1,1,0), i2 (0,1,0)
    m = ItemKNN(k=10).fit(X)
    S = np.array([[0, 0.5, 0], [0.5, 0, R2], [0, R2, 0]])
    assert m.similarity_.toarray() == pytest.approx(S)
    assert m.score_block(np.arange(3)) == pytest.approx(X.toarray() @ S)
    idx, _ = m.recommend(2)
    # u0 can only get i2; u1 only i0; u2: i1 (0.5) then i2 (no score: filled by popularity)
    assert idx.tolist() == [[2, -1], [0, -1], [1, 2]]
    assert ItemKNN(k=1).fit(X).similarity_.toarray() == pytest.approx(np.array([[0, 0.5, 0], [0, 0, R2], [0, R2, 0]]))


def test_followed_sellers_scores_by_hand():
    """c0 follows s0 and s1; s0 sold p0 x3 and p1 x1, s1 sold p1 and p2 once each; c1 follows
    only s1; c2 nobody. score(c, p) = sum over followed s of s's share of units in p."""
    bought = sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], dtype=float))
    follows = sp.csr_matrix(np.array([[1, 1], [0, 1], [0, 0]], dtype=float))
    sales = sp.csr_matrix(np.array([[3, 1, 0], [0, 1, 1]], dtype=float))
    model = FollowedSellers().fit(bought, follows=follows, sales=sales)
    assert model.score_sparse(np.arange(3)).toarray() == pytest.approx(
        np.array([[0.75, 0.25 + 0.5, 0.5], [0, 0.5, 0.5], [0, 0, 0]]))
    idx, _ = model.recommend(2, np.arange(3))
    # c0: p1 (0.75) before p2 (0.5), p0 bought; c1: p1 (p2 bought), then p0 by popularity;
    # c2: nothing personal -> by popularity (p0 and p2 have one buyer each: the lower code first)
    assert idx.tolist() == [[1, 2], [1, 0], [0, 2]]
    with pytest.raises(ValueError, match="shapes"):
        FollowedSellers().fit(bought, follows=follows, sales=sales.T)


def test_most_popular_excludes_seen():
    m = MostPopular().fit(X)
    assert m.popularity_.tolist() == [2, 2, 1]
    idx, vals = m.recommend(3, np.array([2, 0]))
    assert idx.tolist() == [[1, 2, -1], [2, -1, -1]]
    assert vals[0, 0] > vals[0, 1]
    idx, _ = m.recommend(2, exclude_seen=False)
    assert idx.tolist() == [[0, 1]] * 3  # ties break toward the lower code


@pytest.mark.parametrize("make", [MostPopular, lambda: RP3beta(alpha=1.0, beta=0.0, k=10), lambda: ItemKNN(k=10)])
def test_an_exclusion_matrix_replaces_the_fitted_one(make):
    """``excluded`` takes the place of the fitted matrix's pairs (the evaluation's consumer ->
    streamers baselines exclude every streamer ever followed, fitted on the follows still running)."""
    model = make().fit(X)
    everything, _ = model.recommend(3, exclude_seen=False)
    ever = X.toarray().astype(bool)
    ever[:, 0] = True  # every user once had item 0 too
    idx, _ = model.recommend(3, excluded=sp.csr_matrix(ever.astype(np.float64)))
    for user in range(X.shape[0]):
        assert not set(idx[user][idx[user] >= 0]) & set(np.flatnonzero(ever[user]))
        kept = [i for i in everything[user] if i >= 0 and not ever[user, i]]
        assert idx[user][idx[user] >= 0].tolist() == kept  # the same order, only those removed
    with pytest.raises(ValueError, match="shape"):
        model.recommend(3, excluded=sp.csr_matrix((2, 2)))


def test_top_k_helpers_break_ties_stably():
    block = np.array([[1.0, 3.0, 3.0, -np.inf], [0.0, 0.0, 0.0, 0.0], [-np.inf] * 4])
    idx, vals = top_k_dense(block, 2)
    assert idx.tolist() == [[1, 2], [0, 1], [-1, -1]]
    assert np.isnan(vals[2]).all()
    s = sp.csr_matrix((np.array([1.0, 3.0, 3.0, -np.inf, 2.0, 5.0]), ([0, 0, 0, 0, 1, 1], [0, 1, 2, 3, 2, 3])), shape=(2, 4))
    idx, vals = top_k_sparse(s, 3)
    assert idx.tolist() == [[1, 2, 0], [3, 2, -1]]
    assert top_k_sparse_rows(sp.csr_matrix(np.array([[1.0, 3.0, 2.0]])), 2).toarray().tolist() == [[0.0, 3.0, 2.0]]


class DenseOnly(MatrixRecommender):
    """The same scores given only as dense blocks: :meth:`recommend`'s generic path."""

    def __init__(self, model: MatrixRecommender):
        self.model, self.X_ = model, model.X_

    def score_block(self, rows):
        return self.model.score_block(rows)


class FixedSparse(MatrixRecommender):
    """Given sparse scores (coarse, so ties are many)."""

    def __init__(self, X, scores):
        self.X_, self.scores = sp.csr_matrix(X), sp.csr_matrix(scores)

    def score_sparse(self, rows):
        return self.scores[rows]


def random_interactions(rng, users, items, density):
    X = sp.random(users, items, density=density, random_state=rng, format="csr")
    X.data[:] = rng.integers(1, 4, X.nnz)
    return X


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_and_shared_scores_give_the_dense_lists_exactly(seed):
    """Most popular (one shared ranking), item-kNN and RP3beta (sparse scores) and coarse sparse
    scores full of ties give the lists and scores of the dense path, bit for bit: with and
    without the popularity fill and the seen items, for subsets of users, lists longer than
    what is left to recommend, and blocks of a few users."""
    rng = np.random.default_rng(seed)
    dense_X = random_interactions(rng, 60, 25, 0.12).toarray()
    dense_X[3] = 0  # a user with nothing
    dense_X[5, :22] = 1  # a user who has seen all but 3 items
    X = sp.csr_matrix(dense_X)
    coarse = random_interactions(rng, 60, 25, 0.1)
    models = [MostPopular().fit(X), ItemKNN(k=4).fit(X), RP3beta(alpha=1.0, beta=0.5, k=3).fit(X),
              FixedSparse(X, coarse)]
    subset = rng.choice(60, 17, replace=False)
    for model in models:
        dense = DenseOnly(model)
        for k, rows, options in [(5, None, {}), (8, subset, {}), (30, None, {}), (4, None, {"fill_popular": False}),
                                 (6, subset, {"exclude_seen": False}), (5, None, {"cells": 8})]:
            want = dense.recommend(k, rows, **options)
            got = model.recommend(k, rows, **options)
            np.testing.assert_array_equal(got[0], want[0], err_msg=f"{type(model).__name__} {k} {options}")
            np.testing.assert_array_equal(got[1], want[1], err_msg=f"{type(model).__name__} {k} {options}")


def test_sparse_scores_must_not_be_negative():
    with pytest.raises(ValueError, match="non-negative"):
        FixedSparse(X, -X).recommend(2)
