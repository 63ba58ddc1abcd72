"""Beta reputation with exponential forgetting.

A reputation is a Beta(alpha, beta) posterior over the probability that an interaction
turns out well (here: a purchase is kept, not returned). Positive evidence ``r`` and
negative evidence ``s`` add to a prior with mean ``m`` and strength ``k``::

    alpha = k * m + r,    beta = k * (1 - m) + s,    E[p] = alpha / (alpha + beta)

Evidence is discounted with age ("forgetting factor" of Jøsang and Ismail): an event
``a`` days old counts ``2 ** (-a / half_life_days)``, so recent behaviour weighs more
and a streamer whose returns spike loses reputation within about one half-life.

Every function works on whole numpy arrays (one element per entity).

References
----------
.. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Proc. 15th Bled
   Electronic Commerce Conference, 2002.
.. [2] A. Jøsang, R. Ismail and C. Boyd, "A survey of trust and reputation systems for
   online service provision", Decision Support Systems 43(2), 2007.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv

LN2 = np.log(2.0)


def decay(age_days: np.ndarray, half_life_days: float) -> np.ndarray:
    """Forgetting weight ``2 ** (-age / half_life)``; ages below 0 count as 0.

    Parameters
    ----------
    age_days : array of float
        Age of each event in days at the reference time.
    half_life_days : float
        Age at which an event counts half; ``inf`` disables forgetting.

    Examples
    --------
    >>> decay(np.array([0.0, 30.0, 60.0]), 30.0).tolist()
    [1.0, 0.5, 0.25]
    """
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    if not np.isfinite(half_life_days):
        return np.ones_like(age)
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    return np.exp(-LN2 * age / half_life_days)


def posterior(positive: np.ndarray, negative: np.ndarray, prior_mean: np.ndarray | float,
              prior_strength: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Beta posterior parameters ``(alpha, beta)`` from evidence and a prior.

    Examples
    --------
    >>> a, b = posterior(np.array([1.0]), np.array([0.0]), 0.5, 2.0)
    >>> float(a[0] / (a[0] + b[0]))  # one good sale with a uniform prior: (1 + 1) / (1 + 2)
    0.6666666666666666
    """
    pos = np.asarray(positive, dtype=np.float64)
    neg = np.asarray(negative, dtype=np.float64)
    m = np.clip(np.asarray(prior_mean, dtype=np.float64), 1e-6, 1 - 1e-6)
    k = np.asarray(prior_strength, dtype=np.float64)
    return k * m + pos, k * (1.0 - m) + neg


def expectation(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Posterior mean ``alpha / (alpha + beta)``."""
    return alpha / (alpha + beta)


def interval(alpha: np.ndarray, beta: np.ndarray, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed credible interval of Beta(alpha, beta), vectorised.

    Examples
    --------
    >>> lo, hi = interval(np.array([1.0]), np.array([1.0]), 0.9)
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.05, 0.95)
    """
    tail = (1.0 - level) / 2.0
    a = np.maximum(np.asarray(alpha, dtype=np.float64), 1e-9)
    b = np.maximum(np.asarray(beta, dtype=np.float64), 1e-9)
    return betaincinv(a, b, tail), betaincinv(a, b, 1.0 - tail)


def evidence_confidence(evidence: np.ndarray, prior_strength: np.ndarray | float) -> np.ndarray:
    """Share of the posterior mean that comes from evidence rather than the prior.

    ``n / (n + k)``: 0 without evidence, 0.5 when the evidence weighs as much as the
    prior, towards 1 as evidence accumulates. This is the weight of the data in the
    shrinkage estimate ``(k m + r) / (k + n) = (1 - c) m + c r / n``.

    Examples
    --------
    >>> evidence_confidence(np.array([0.0, 10.0, 90.0]), 10.0).tolist()
    [0.0, 0.5, 0.9]
    """
    n = np.maximum(np.asarray(evidence, dtype=np.float64), 0.0)
    return n / (n + np.asarray(prior_strength, dtype=np.float64))
