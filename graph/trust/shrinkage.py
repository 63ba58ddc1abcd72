"""Small-sample rates: Wilson lower bound and empirical-Bayes Beta shrinkage.

A raw rate from 1 sale (1 kept of 1) is 100 %, but says next to nothing. Two standard
remedies, both vectorised:

- the Wilson score interval's lower bound [1]_ (a conservative rate: what the rate is
  at least, with the given confidence) -- used for ranking explanations;
- empirical-Bayes shrinkage [2]_ [3]_: fit a Beta prior to the population of rates by
  the method of moments (between-entity variance beyond binomial noise), then the
  posterior mean ``(k m + r) / (k + n)`` pulls thin evidence towards the prior mean.

References
----------
.. [1] E. B. Wilson, "Probable inference, the law of succession, and statistical
   inference", JASA 22(158), 1927.
.. [2] H. Robbins, "An empirical Bayes approach to statistics", Proc. 3rd Berkeley
   Symposium, 1956.
.. [3] G. Casella, "An introduction to empirical Bayes data analysis", The American
   Statistician 39(2), 1985.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri


def wilson_lower_bound(successes: np.ndarray, trials: np.ndarray, level: float = 0.9) -> np.ndarray:
    """Lower bound of the Wilson score interval (0 where there are no trials).

    Works with fractional (time-decayed) counts.

    Examples
    --------
    >>> wilson_lower_bound(np.array([1.0, 90.0]), np.array([1.0, 100.0])).round(3).tolist()
    [0.27, 0.84]
    """
    n = np.asarray(trials, dtype=np.float64)
    x = np.asarray(successes, dtype=np.float64)
    z = ndtri(1.0 - (1.0 - level) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / n, 0.0)
        centre = p + z * z / (2 * n)
        spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lower = (centre - spread) / (1 + z * z / n)
    return np.where(n > 0, np.clip(lower, 0.0, 1.0), 0.0)


def fit_beta_prior(successes: np.ndarray, trials: np.ndarray, *, min_trials: float = 5.0,
                   prior_mean: np.ndarray | None = None, strength_bounds: tuple[float, float] = (2.0, 500.0)) -> float:
    """Method-of-moments strength ``k`` of a Beta prior around known means.

    Between-entity variance of the rates, beyond the binomial noise expected from
    their sample sizes, gives the prior variance ``v = m (1 - m) / (k + 1)``.

    Parameters
    ----------
    successes, trials : array of float
        Per-entity (possibly decayed, fractional) counts.
    min_trials : float
        Entities with less evidence do not inform the fit.
    prior_mean : array of float, optional
        Per-entity prior means (e.g. from covariates); the pooled rate when omitted.
    strength_bounds : (float, float)
        ``k`` is clipped to this range (weak to strong shrinkage).

    Returns
    -------
    float
        The prior strength ``k`` (in pseudo-observations).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.beta(45.0, 5.0, 2000)          # true prior: mean 0.9, strength 50
    >>> n = np.full(2000, 200.0)
    >>> k = fit_beta_prior(rng.binomial(200, p).astype(float), n)
    >>> 35 < k < 70
    True
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    use = n >= min_trials
    lo, hi = strength_bounds
    if use.sum() < 3:
        return float(hi)
    x, n = x[use], n[use]
    rate = x / n
    if prior_mean is None:
        m = np.full_like(rate, x.sum() / n.sum())
    else:
        m = np.clip(np.asarray(prior_mean, dtype=np.float64)[use], 1e-6, 1 - 1e-6)
    w = n / (n + 1.0)  # weights: observed variance of a rate ~ v + m (1 - m) / n
    resid2 = (rate - m) ** 2
    noise = m * (1 - m) / n
    v = float(np.sum(w * (resid2 - noise)) / np.sum(w))
    base = float(np.sum(w * m * (1 - m)) / np.sum(w))
    if v <= 0:
        return float(hi)
    return float(np.clip(base / v - 1.0, lo, hi))


def shrink(successes: np.ndarray, trials: np.ndarray, prior_mean: np.ndarray | float, prior_strength: float) -> np.ndarray:
    """Posterior mean ``(k m + x) / (k + n)``.

    Examples
    --------
    >>> shrink(np.array([1.0, 0.0]), np.array([1.0, 0.0]), 0.8, 9.0).tolist()
    [0.82, 0.8]
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    return (prior_strength * np.asarray(prior_mean, dtype=np.float64) + x) / (prior_strength + n)
