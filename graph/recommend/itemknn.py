"""Item-kNN baseline: cosine similarity between items' buyer vectors (scikit-learn).

``S = cosine_similarity(X.T)`` (``sklearn.metrics.pairwise.cosine_similarity`` on the
sparse user x item matrix), the diagonal removed and each item's row pruned to its
``k`` most similar items; a user's score for item j is ``sum_i x_ui * S_ij``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.metrics.pairwise import cosine_similarity

from .common import MatrixRecommender, top_k_sparse_rows
from .params import Interval, check_parameters


class ItemKNN(MatrixRecommender):
    """Cosine item-kNN on an implicit user x item matrix.

    Parameters
    ----------
    k : int
        Neighbours kept per item (top-k pruning of the similarity rows).
    binary : bool
        Use 1 for every interaction instead of its value (counts, units ...).
    """

    #: allowed values of the numeric parameters (checked by ``fit`` and by ``--set``)
    PARAMETER_RANGES = {
        "k": Interval(1),
    }

    def __init__(self, k: int = 100, binary: bool = True):
        self.k = k
        self.binary = binary

    def fit(self, X: sp.spmatrix) -> "ItemKNN":
        check_parameters(self)
        X = sp.csr_matrix(X, dtype=np.float64)
        if self.binary:
            X = X.copy()
            X.data[:] = 1.0
        self.X_ = X
        sim = sp.csr_matrix(cosine_similarity(X.T.tocsr(), dense_output=False))
        sim.setdiag(0.0)
        sim.eliminate_zeros()
        self.similarity_ = top_k_sparse_rows(sim, self.k)
        return self

    def score_sparse(self, rows: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix(self.X_[rows] @ self.similarity_)
