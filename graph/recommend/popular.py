"""Most-popular baseline: every user gets the items with the most distinct buyers."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .common import MatrixRecommender


class MostPopular(MatrixRecommender):
    """Items ranked by how many distinct users interacted with them (ties: lower code).

    The non-personalised baseline any team has; already-seen items are excluded
    per user by :meth:`recommend`.
    """

    def fit(self, X: sp.spmatrix) -> "MostPopular":
        self.X_ = sp.csr_matrix(X, dtype=np.float64)
        binary = self.X_.copy()
        binary.data[:] = 1.0
        self.popularity_ = np.asarray(binary.sum(axis=0)).ravel()
        return self

    def shared_scores(self) -> np.ndarray:
        return self.popularity_
