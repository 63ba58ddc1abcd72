"""Array helpers shared by the graph jobs (trust, paths, recommendations)."""

from __future__ import annotations

import numpy as np


def unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    ``np.unique`` without ``return_*`` takes a hash-based path that is far slower than
    sorting on numpy 2.3+ for millions of distinct int64 keys: 12M of them took 12.3 s
    against 0.21 s here (numpy 2.4.6, AMD EPYC; 1M: 0.67 s against 0.02 s;
    ``bench/unique_speed.py``, ``bench/results/baselines_sparse_ab.log``).

    Examples
    --------
    >>> unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    s = np.sort(np.asarray(a))
    if len(s) == 0:
        return s
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def weighted_counts(index: np.ndarray, weights: np.ndarray, minlength: int = 0) -> np.ndarray:
    """``np.bincount(index, weights, minlength)``, always float64.

    numpy returns int64 zeros when ``index`` is empty, weights or not: a run without orders
    would write integer ``gmv`` and weight columns, another schema than a run with orders.

    Examples
    --------
    >>> weighted_counts(np.array([0, 2, 2]), np.array([1.5, 1.0, 0.5]), 4).tolist()
    [1.5, 0.0, 1.5, 0.0]
    >>> weighted_counts(np.array([], np.int64), np.array([]), 2).dtype
    dtype('float64')
    """
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64, copy=False)
