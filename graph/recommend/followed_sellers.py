"""Followed-sellers baseline: what the streamers a consumer follows sell, by how much they sell it.

The private-domain recommender a live-commerce team builds first, with no trust model:
offer each consumer the products of the streamers they follow. With the follow matrix
``F`` (consumers x streamers, 1 where a follow is running) and the streamers' recent sales
``U`` (streamers x products, recency-weighted units):

    score(c, p) = sum_s F[c, s] * U[s, p] / sum_q U[s, q]

each followed streamer contributes its share of units in the product. Products the
consumer already bought are excluded, like every consumer -> products method.

It reads the core of what livetrust's consumer -> products list reads besides trust --
running follows and which streamer sold what, recently -- but none of the trust scores,
returns or fraud flags (nor livetrust's lapsed and bought-from bonds: adding them at
livetrust's weight of then, 0.3, moved s seed 7 from 0.1537 to 0.1511 NDCG@10 in a reviewer's run). Beside
it, the evaluation shows what trust adds to the same private-domain data; the purchase-matrix baselines (most popular, item-kNN, RP3beta) see neither follows nor
sellers (review of the evaluation, bench/results/recommend.md).

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> bought = sp.csr_matrix(np.array([[1, 0, 0]]))          # c0 bought p0
>>> follows = sp.csr_matrix(np.array([[1, 1]]))            # c0 follows s0 and s1
>>> sales = sp.csr_matrix(np.array([[3, 1, 0], [0, 1, 1]]))  # s0 sells p0 x3, p1; s1 p1, p2
>>> model = FollowedSellers().fit(bought, follows=follows, sales=sales)
>>> model.score_sparse(np.array([0])).toarray().round(2).tolist()
[[0.75, 0.75, 0.5]]
>>> idx, _ = model.recommend(2, np.array([0]))
>>> idx.tolist()  # p0 already bought
[[1, 2]]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .common import MatrixRecommender, row_normalize


class FollowedSellers(MatrixRecommender):
    """Products of the followed streamers, weighted by their share of each streamer's sales.

    Takes no parameters. :meth:`fit` needs the follows and the sales besides the purchase
    matrix (see the module docstring); :meth:`fit_graph` takes them from the training graph.
    """

    products_only = True

    def fit_graph(self, X: sp.spmatrix, graph) -> "FollowedSellers":
        """The running follows and the streamers' recency-weighted units of ``graph`` (a
        :class:`~.data.Graph`), ``X`` its purchases."""
        return self.fit(X, follows=graph.following, sales=graph.streamer_product_units)

    def fit(self, X: sp.spmatrix, *, follows: sp.spmatrix, sales: sp.spmatrix) -> "FollowedSellers":
        """``X``: consumers x products bought (the excluded pairs); ``follows``: consumers x
        streamers (1 where running); ``sales``: streamers x products, units (recency-weighted)."""
        self.X_ = sp.csr_matrix(X, dtype=np.float64)
        follows, sales = sp.csr_matrix(follows, dtype=np.float64), sp.csr_matrix(sales, dtype=np.float64)
        if follows.shape[0] != self.X_.shape[0] or sales.shape != (follows.shape[1], self.X_.shape[1]):
            raise ValueError(f"shapes do not chain: bought {self.X_.shape}, follows {follows.shape}, "
                             f"sales {sales.shape}")
        self.follows_, self.mix_ = follows, row_normalize(sales)
        return self

    def score_sparse(self, rows: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix(self.follows_[rows] @ self.mix_)
