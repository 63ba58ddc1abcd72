"""Product and factory trust: quality seen through returns, net of who sold the goods.

From the additive models of :mod:`.effects`, one per cause class ``k`` of
:mod:`.reasons` (``logit P(return of class k) = mu_k + u_ks + phi_kf + eps_kp``), with the
streamer at the platform's typical level (``u_ks = 0``) and the class weights ``w_k`` of
:mod:`.streamers`:

- factory trust ``= 1 - sum_k w_k sigmoid(mu_k + phi_kf)``: the probability that a purchase
  of a typical product of the factory, sold by a typical streamer, is not returned for a
  cause that counts;
- product trust ``= 1 - sum_k w_k sigmoid(mu_k + phi_kf + eps_kp)``: the same for this
  product; a product with few sales borrows its factory's quality (``eps`` is shrunk to 0).

Because every streamer's own effects are in the models, and a "not as described" return
is a seller-class event, a good factory whose goods are mostly sold by an exaggerating
streamer is not blamed for that streamer's returns, as far as the reasons and the sales
of its goods by other streamers allow. ``factory_effect`` / ``product_effect`` are the
product class's (defects).

``confidence`` is the share of the prior variance of ``trust`` that the evidence removed
(:func:`.streamers.delta_confidence`: weighted orders of the product and its factory, counted at
each class's typical risk; 0: no evidence, the prior; towards 1 with evidence), and
``trust_low`` / ``trust_high`` is an interval at ``level`` with every class's log-odds at its
bound at once (wider than a joint ``level`` interval: a conservative one).

References
----------
.. [1] T. Hastie and R. Tibshirani, "Generalized Additive Models", Chapman & Hall, 1990.
.. [2] A. Gelman and J. Hill, "Data Analysis Using Regression and Multilevel/Hierarchical
   Models", Cambridge University Press, 2007.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from .._arrays import unique, weighted_counts
from .effects import Effects
from .evidence import Evidence
from .streamers import CAUSE_COLUMNS, delta_confidence, evidence_var



def _rate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.maximum(b, 1e-300), np.nan)


def _distinct(group: np.ndarray, other: np.ndarray, n_group: int, n_other: int) -> np.ndarray:
    if len(group) == 0:
        return np.zeros(n_group, np.int64)
    key = unique(group * max(n_other, 1) + other)
    return np.bincount(key // max(n_other, 1), minlength=n_group)


def _seller_effect(ev: Evidence, seller: Effects, group: np.ndarray, n: int, weight: np.ndarray) -> np.ndarray:
    """Weighted mean own (seller-cause) effect of the streamers that sold each group's goods."""
    u = seller.effect["streamer"][ev.o_streamer]
    return _rate(np.bincount(group, weights=weight * u, minlength=n), np.bincount(group, weights=weight, minlength=n))


def _causes(ev: Evidence, group: np.ndarray, n: int, rows: np.ndarray | slice = slice(None)) -> dict[str, np.ndarray]:
    units = ev.o_returned_units[rows]
    return {f"returned_units_{c}": np.rint(np.bincount(group, weights=units * ev.o_cause[rows, i], minlength=n)).astype(np.int64)
            for i, c in enumerate(CAUSE_COLUMNS)}


def _scored(effs: dict[str, Effects], cw: dict[str, float], eta: dict[str, np.ndarray], var: dict[str, np.ndarray],
            evidence: dict[str, np.ndarray], prior_var: dict[str, float], z: float) -> dict[str, np.ndarray]:
    """trust / confidence / interval of ``1 - sum_k cw_k sigmoid(eta_k)`` and each class's risk;
    ``evidence`` is each class's log-odds variance at its typical risk (:func:`.streamers.evidence_var`)."""
    def kept(shift: float) -> np.ndarray:
        return np.clip(1.0 - sum(cw[k] * expit(eta[k] + shift * np.sqrt(var[k])) for k in effs), 0.0, 1.0)

    risk = {k: expit(eta[k]) for k in effs}
    return {
        "trust": kept(0.0),
        "confidence": delta_confidence(cw, {k: float(expit(e.mu)) for k, e in effs.items()}, evidence, prior_var),
        "trust_low": kept(z),
        "trust_high": kept(-z),
        **{f"{k}_return_risk": risk[k] for k in effs},
    }


def product_table(ev: Evidence, effs: dict[str, Effects], class_weight: dict[str, float], order_weight: np.ndarray,
                  *, level: float = 0.9) -> pd.DataFrame:
    """One row per product (see the module docstring)."""
    P = ev.n_products
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    F = ev.n_factories
    idx = np.where(ev.product_factory >= 0, ev.product_factory, F)  # F = unknown factory
    factory_id = np.append(ev.factory_ids.to_numpy(dtype=object), None)[idx]
    eta, var, evidence, prior_var = {}, {}, {}, {}
    for k, e in effs.items():
        phi = np.append(e.effect["factory"], 0.0)[idx]
        var_f = np.append(1.0 / e.precision["factory"], e.tau2["factory"])[idx]
        eta[k] = e.mu + phi + e.effect["product"]
        var[k] = var_f + 1.0 / e.precision["product"]
        prior_var[k] = e.tau2["factory"] + e.tau2["product"]
        typical = float(expit(e.mu))
        # the fit's weighted orders per group (an unknown factory's products: none)
        evidence[k] = (evidence_var(np.append(e.weight["factory"], 0.0)[idx], typical, e.tau2["factory"])
                       + evidence_var(e.weight["product"], typical, e.tau2["product"]))
    q = effs["product"]
    o_p = ev.o_product
    units = np.bincount(o_p, weights=ev.o_quantity, minlength=P)
    ret_units = np.bincount(o_p, weights=ev.o_returned_units, minlength=P)
    return pd.DataFrame({
        "product_id": ev.product_ids.to_numpy(dtype=object),
        "factory_id": factory_id,
        **_scored(effs, class_weight, eta, var, evidence, prior_var, z),
        "product_effect": q.effect["product"],
        "factory_effect": np.append(q.effect["factory"], 0.0)[idx],
        "seller_effect": _seller_effect(ev, effs["seller"], o_p, P, order_weight),
        "orders": np.bincount(o_p, minlength=P),
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": _rate(ret_units, units),
        **_causes(ev, o_p, P),
        "kept_weight": weighted_counts(o_p, order_weight * (1.0 - ev.o_returned), P),
        "returned_weight": weighted_counts(o_p, order_weight * ev.o_returned, P),
        "streamers": _distinct(o_p, ev.o_streamer, P, ev.n_streamers),
        "buyers": _distinct(o_p, ev.o_consumer, P, ev.n_consumers),
    })


def factory_table(ev: Evidence, effs: dict[str, Effects], class_weight: dict[str, float], order_weight: np.ndarray,
                  *, level: float = 0.9) -> pd.DataFrame:
    """One row per factory (see the module docstring)."""
    F = ev.n_factories
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    eta = {k: e.mu + e.effect["factory"] for k, e in effs.items()}
    var = {k: 1.0 / e.precision["factory"] for k, e in effs.items()}
    prior_var = {k: e.tau2["factory"] for k, e in effs.items()}
    known = ev.o_factory >= 0
    o_f = ev.o_factory[known]
    w = order_weight[known]
    units = np.bincount(o_f, weights=ev.o_quantity[known], minlength=F)
    ret_units = np.bincount(o_f, weights=ev.o_returned_units[known], minlength=F)
    u = effs["seller"].effect["streamer"][ev.o_streamer[known]]
    seller = _rate(np.bincount(o_f, weights=w * u, minlength=F), np.bincount(o_f, weights=w, minlength=F))
    return pd.DataFrame({
        "factory_id": ev.factory_ids.to_numpy(dtype=object),
        **_scored(effs, class_weight, eta, var,
                  {k: evidence_var(e.weight["factory"], float(expit(e.mu)), e.tau2["factory"]) for k, e in effs.items()},
                  prior_var, z),
        "factory_effect": effs["product"].effect["factory"],
        "seller_effect": seller,
        "products": np.bincount(ev.product_factory[ev.product_factory >= 0], minlength=F),
        "products_sold": _distinct(o_f, ev.o_product[known], F, ev.n_products),
        "orders": np.bincount(o_f, minlength=F),
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": _rate(ret_units, units),
        **_causes(ev, o_f, F, known),
        "kept_weight": weighted_counts(o_f, w * (1.0 - ev.o_returned[known]), F),
        "returned_weight": weighted_counts(o_f, w * ev.o_returned[known], F),
        "streamers": _distinct(o_f, ev.o_streamer[known], F, ev.n_streamers),
    })
