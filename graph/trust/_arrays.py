"""Array helpers shared by the trust modules."""

from __future__ import annotations

import numpy as np


def unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    ``np.unique`` without ``return_*`` takes a hash-based path that is an order of
    magnitude slower than sorting on numpy 2.3+ for millions of int64 keys.

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
