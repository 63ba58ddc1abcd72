"""Separating who causes returns: an additive logistic model with random effects.

A return can be the product's fault (a defect: the factory) or the streamer's (the
goods were not as described), and honest streamers tend to carry better factories, so
raw return rates of factories and streamers are confounded. Each order ``i`` (a line of
product ``p`` from factory ``f`` sold by streamer ``s``) is modelled as::

    logit P(returned_i) = mu + u_s + phi_f + eps_p,
    u_s ~ N(0, tau_u^2),  phi_f ~ N(0, tau_f^2),  eps_p ~ N(0, tau_p^2)

(products nested in factories). The effects are fitted by penalised likelihood with
block-wise Newton steps (backfitting, [1]_) on weighted order outcomes (time-decayed,
credibility-weighted), and the variances ``tau^2`` by the Laplace-approximate EM
update ``tau^2 = mean(theta^2 + 1 / H)`` ([2]_, [3]_), so the amount of pooling is
learnt from the data. A factory's effect is thus estimated with every streamer's
effect held out, "as far as the data allows": a factory sold by one streamer only
shares the blame according to the two variances.

Orders are first collapsed into (streamer, product) cells, which leaves the
likelihood unchanged and makes each pass a handful of ``np.bincount`` calls.

References
----------
.. [1] T. Hastie and R. Tibshirani, "Generalized Additive Models", Chapman & Hall, 1990
   (backfitting).
.. [2] N. E. Breslow and D. G. Clayton, "Approximate inference in generalized linear
   mixed models", JASA 88(421), 1993.
.. [3] A. Gelman and J. Hill, "Data Analysis Using Regression and Multilevel/Hierarchical
   Models", Cambridge University Press, 2007 (partial pooling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

BLOCKS = ("streamer", "factory", "product")


@dataclass
class Effects:
    """Fitted model; ``effect[b]`` are log-odds effects on *returning* per group of block ``b``.

    ``info[b]`` is the data's Fisher information per group (sum of ``w p (1 - p)``) and
    ``precision[b] = info[b] + 1 / tau2[b]`` the approximate posterior precision.
    """

    mu: float
    effect: dict[str, np.ndarray]
    info: dict[str, np.ndarray]
    precision: dict[str, np.ndarray]
    tau2: dict[str, float]
    weight: dict[str, np.ndarray]  # evidence (sum of weights) per group
    iterations: int

    def confidence(self, block: str) -> np.ndarray:
        """Share of the posterior precision that comes from data (0 = prior only)."""
        return self.info[block] / self.precision[block]


def fit_effects(streamer: np.ndarray, product: np.ndarray, product_factory: np.ndarray, returned: np.ndarray,
                weight: np.ndarray, n_streamers: int, n_products: int, n_factories: int, *,
                covariates: dict[str, tuple[np.ndarray, int]] | None = None,
                tau2_init: tuple[float, float, float] = (0.5, 0.5, 0.1), covariate_tau2: float = 4.0,
                em_rounds: int = 6, max_iter: int = 100, tol: float = 1e-6,
                tau2_bounds: tuple[float, float] = (1e-3, 4.0),
                intercept_prior: tuple[float, float] = (0.25, 1.0)) -> Effects:
    """Fit the additive logistic model of the module docstring.

    Parameters
    ----------
    streamer, product : int arrays, one element per order
        Codes of the seller and the product.
    product_factory : int array, one element per product
        Factory code of each product (``-1`` = unknown: its own group).
    returned : float array in [0, 1]
        Returned share of each order.
    weight : float array >= 0
        Evidence weight of each order.
    n_streamers, n_products, n_factories : int
        Sizes of the code spaces.
    covariates : {name: (codes per order, n_levels)}, optional
        Extra categorical effects of the order (e.g. "bought as a follower"), with a
        weak fixed prior (variance ``covariate_tau2``), so the entity effects are net
        of them.
    tau2_init : (float, float, float)
        Starting variances for the streamer, factory and product effects.
    em_rounds : int
        Variance updates (0 keeps ``tau2_init``).
    intercept_prior : (float, float), default (0.25, 1.0)
        ``(rate, weight)``: ``mu``'s weak prior, as ``weight`` pseudo-orders returned at ``rate``.
        Negligible beside real evidence; it keeps ``mu`` finite on thin one-sided data and puts it
        at ``logit(rate)`` when no order has weight (with the default seller and product classes
        weighted 1, a kept probability of 0.5).

    Returns
    -------
    Effects

    Examples
    --------
    >>> # factory 0 is bad (its product 0 returns at 40 %) at both streamers; factory 1 good
    >>> s = np.repeat([0, 0, 1, 1], 100); p = np.repeat([0, 1, 0, 1], 100)
    >>> y = np.concatenate([np.arange(100) < 40, np.arange(100) < 5] * 2).astype(float)
    >>> e = fit_effects(s, p, np.array([0, 1]), y, np.ones(400), 2, 2, 2)
    >>> bool(e.effect["factory"][0] > e.effect["factory"][1]), bool(abs(e.effect["streamer"][0] - e.effect["streamer"][1]) < 1e-6)
    (True, True)
    """
    s = np.asarray(streamer, dtype=np.int64)
    p = np.asarray(product, dtype=np.int64)
    pf = np.asarray(product_factory, dtype=np.int64)
    pf = np.where(pf < 0, n_factories, pf)  # unknown factory: one extra group
    nf = n_factories + 1
    w = np.asarray(weight, dtype=np.float64)
    y = np.asarray(returned, dtype=np.float64)
    cov = dict(covariates or {})
    # collapse orders into cells of identical codes
    cell = s * max(n_products, 1) + p
    for name, (code, n) in cov.items():
        cell = cell * max(int(n), 1) + np.asarray(code, dtype=np.int64)
    keys, first, inv = np.unique(cell, return_index=True, return_inverse=True)
    cw = np.bincount(inv, weights=w, minlength=len(keys))
    cy = np.bincount(inv, weights=w * y, minlength=len(keys))
    keep = cw > 0
    first, cw, cy = first[keep], cw[keep], cy[keep]
    cs = s[first]
    cp = p[first]
    cf = pf[cp] if len(pf) else np.zeros(len(cp), np.int64)
    codes = {"streamer": (cs, n_streamers), "factory": (cf, nf), "product": (cp, n_products)}
    tau2 = dict(zip(BLOCKS, tau2_init))
    for name, (code, n) in cov.items():
        codes[name] = (np.asarray(code, dtype=np.int64)[first], int(n))
        tau2[name] = covariate_tau2
    blocks = tuple(codes)
    theta = {b: np.zeros(n) for b, (_, n) in codes.items()}
    # the intercept's weak prior: pseudo-orders of weight w0 returned at rate r0. Without it, data
    # that is thin and one-sided (every weighted order returned, or none) walks mu towards +-inf,
    # and with no usable evidence at all there is no rate to start from
    r0, w0 = intercept_prior
    if not (0 < r0 < 1 and w0 > 0):
        raise ValueError(f"intercept_prior must be (rate in (0, 1), weight > 0), not {intercept_prior}")
    total = cw.sum()
    mu = float(np.log((cy.sum() + w0 * r0) / (total - cy.sum() + w0 * (1 - r0))))
    eta = np.full(len(cw), mu)
    info: dict[str, np.ndarray] = {}
    iters = 0
    # no event at all (e.g. a cause class nobody reported): every effect stays at 0 and mu at the
    # prior's pseudo-events, instead of a Newton walk towards mu = -inf
    for round_ in range(em_rounds + 1 if cy.sum() > 0 else 0):
        for _ in range(max_iter):
            iters += 1
            biggest = 0.0
            for b in blocks:
                code, n = codes[b]
                pr = expit(eta)
                g = np.bincount(code, weights=cy - cw * pr, minlength=n) - theta[b] / tau2[b]
                h = np.bincount(code, weights=cw * pr * (1 - pr), minlength=n) + 1.0 / tau2[b]
                step = g / h
                theta[b] += step
                eta += step[code]
                biggest = max(biggest, float(np.max(np.abs(step))) if n else 0.0)
            pr = expit(eta)
            p0 = float(expit(mu))
            hm = float(np.sum(cw * pr * (1 - pr))) + w0 * p0 * (1 - p0)
            if hm > 0:
                dm = (float(np.sum(cy - cw * pr)) + w0 * (r0 - p0)) / hm
                mu += dm
                eta += dm
                biggest = max(biggest, abs(dm))
            if biggest < tol:
                break
        info = _information(codes, cw, eta)
        if round_ == em_rounds:
            break
        lo, hi = tau2_bounds
        for b in BLOCKS:
            code, n = codes[b]
            seen = np.bincount(code, weights=cw, minlength=n) > 0
            if seen.sum() >= 3:
                prec = info[b][seen] + 1.0 / tau2[b]
                tau2[b] = float(np.clip(np.mean(theta[b][seen] ** 2 + 1.0 / prec), lo, hi))
    if not info:
        info = _information(codes, cw, eta)
    weight_per = {b: np.bincount(codes[b][0], weights=cw, minlength=codes[b][1]) for b in blocks}
    precision = {b: info[b] + 1.0 / tau2[b] for b in blocks}

    def public(b: str, arr: np.ndarray) -> np.ndarray:  # drop the "unknown factory" group
        return arr[:n_factories] if b == "factory" else arr

    return Effects(
        mu=mu,
        effect={b: public(b, theta[b]) for b in blocks},
        info={b: public(b, info[b]) for b in blocks},
        precision={b: public(b, precision[b]) for b in blocks},
        tau2=tau2,
        weight={b: public(b, weight_per[b]) for b in blocks},
        iterations=iters,
    )


def _information(codes: dict[str, tuple[np.ndarray, int]], cw: np.ndarray, eta: np.ndarray) -> dict[str, np.ndarray]:
    """Fisher information ``sum w p (1 - p)`` per group of every block."""
    pr = expit(eta)
    return {b: np.bincount(code, weights=cw * pr * (1 - pr), minlength=n) for b, (code, n) in codes.items()}


def refit_block(code: np.ndarray, n: int, returned: np.ndarray, weight: np.ndarray, offset: np.ndarray,
                prior_mean: np.ndarray, tau2: float, *, max_iter: int = 50, tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Re-estimate one block's effects with every other effect held fixed (as ``offset``).

    ``theta ~ N(prior_mean, tau2)`` per group; returns the posterior mode and precision.
    Used for the recent-window streamer effects: the same model, other weights.

    Examples
    --------
    >>> y = np.array([1.0, 1.0, 0.0, 0.0]); w = np.ones(4); off = np.zeros(4)
    >>> theta, prec = refit_block(np.array([0, 0, 1, 1]), 2, y, w, off, np.zeros(2), 1.0)
    >>> bool(theta[0] > 0 > theta[1]), prec.round(3).tolist()
    (True, [1.447, 1.447])
    """
    code = np.asarray(code, dtype=np.int64)
    m0 = np.asarray(prior_mean, dtype=np.float64)
    theta = m0.copy()
    w = np.asarray(weight, dtype=np.float64)
    y = np.asarray(returned, dtype=np.float64)
    h = np.full(n, 1.0 / tau2)
    for _ in range(max_iter):
        pr = expit(offset + theta[code])
        g = np.bincount(code, weights=w * (y - pr), minlength=n) - (theta - m0) / tau2
        h = np.bincount(code, weights=w * pr * (1 - pr), minlength=n) + 1.0 / tau2
        step = g / h
        theta = theta + step
        if not len(step) or float(np.max(np.abs(step))) < tol:
            break
    pr = expit(offset + theta[code])
    h = np.bincount(code, weights=w * pr * (1 - pr), minlength=n) + 1.0 / tau2
    return theta, h
