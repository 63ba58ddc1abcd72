"""RP3beta baseline: a three-step random walk on the user-item graph with a popularity penalty.

Christoffel, Paudel, Newell and Bernstein, "Blockbusters and Wallflowers: Accurate,
Diverse, and Scalable Recommendations with Random Walks", RecSys 2015 (P^3 and its
popularity re-ranking); Paudel, Christoffel, Newell and Bernstein, "Updatable, Accurate,
Diverse, and Scalable Recommendations for Interactive Applications", ACM TiiS 2017
(RP^3_beta). Dacrema, Cremonesi and Jannach (RecSys 2019) found it among the hardest
baselines to beat.

With the interaction matrix ``X`` (users x items, binary):

- ``P_ui`` = ``X`` row-normalised (user -> item transition probabilities),
  ``P_iu`` = ``X.T`` row-normalised (item -> user), both raised element-wise to ``alpha``;
- ``W = P_iu @ P_ui`` (item -> user -> item, the item-item part of the 3-step walk);
- popularity penalty: column ``j`` divided by ``degree(j) ** beta`` (``degree`` = the
  item's number of users);
- each row of ``W`` pruned to its ``k`` largest entries (diagonal removed);
- a user's scores are ``X[u] @ W`` (the user row, as in Dacrema et al.'s reference code).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .common import MatrixRecommender, row_normalize, top_k_sparse_rows
from .params import Interval, check_parameters


class RP3beta(MatrixRecommender):
    """RP3beta on an implicit user x item matrix (see the module docstring).

    Parameters
    ----------
    alpha : float
        Exponent on the transition probabilities (1 = the plain walk).
    beta : float
        Popularity penalty exponent (0 = P^3alpha, no penalty).
    k : int
        Neighbours kept per item.
    """

    #: allowed values of the numeric parameters (checked by ``fit`` and by ``--set``)
    PARAMETER_RANGES = {
        "alpha": Interval(0),
        "beta": Interval(),  # negative favours popular items (the tuning grid tries -0.5)
        "k": Interval(1),
    }

    def __init__(self, alpha: float = 1.0, beta: float = 0.5, k: int = 100):
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def fit(self, X: sp.spmatrix) -> "RP3beta":
        check_parameters(self)
        X = sp.csr_matrix(X, dtype=np.float64)
        X = X.copy()
        X.data[:] = 1.0
        self.X_ = X
        p_ui = row_normalize(X)
        p_iu = row_normalize(X.T)
        if self.alpha != 1.0:
            p_ui.data **= self.alpha
            p_iu.data **= self.alpha
        W = sp.csr_matrix(p_iu @ p_ui)
        degree = np.asarray(X.sum(axis=0)).ravel()
        penalty = np.divide(1.0, np.power(degree, self.beta), out=np.zeros_like(degree), where=degree > 0)
        W = sp.csr_matrix(W @ sp.diags(penalty))
        W.setdiag(0.0)
        W.eliminate_zeros()
        self.W_ = top_k_sparse_rows(W, self.k)
        return self

    def score_sparse(self, rows: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix(self.X_[rows] @ self.W_)
