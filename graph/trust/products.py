"""Product and factory trust: quality seen through returns, net of who sold the goods.

From the additive model of :mod:`.effects` (``logit P(return) = mu + u_s + phi_f +
eps_p``), with the streamer at the platform's typical level (``u_s = 0``):

- factory trust ``= 1 - sigmoid(mu + phi_f)``: the probability that a purchase of a
  typical product of the factory, sold by a typical streamer, is kept;
- product trust ``= 1 - sigmoid(mu + phi_f + eps_p)``: the same for this product; a
  product with few sales borrows its factory's quality (``eps_p`` is shrunk to 0).

Because every streamer's own effect is in the model, a good factory whose goods are
mostly sold by an exaggerating streamer is not blamed for that streamer's returns, as
far as the sales of its goods by other streamers allow.

``confidence = 1 - posterior variance / prior variance`` of the relevant log-odds
(0: no evidence, the prior; towards 1 with evidence), and ``trust_low`` /
``trust_high`` is the credible interval at ``level``.

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

from ._arrays import unique
from .effects import Effects
from .evidence import Evidence



def _rate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.maximum(b, 1e-300), np.nan)


def _distinct(group: np.ndarray, other: np.ndarray, n_group: int, n_other: int) -> np.ndarray:
    if len(group) == 0:
        return np.zeros(n_group, np.int64)
    key = unique(group * max(n_other, 1) + other)
    return np.bincount(key // max(n_other, 1), minlength=n_group)


def _seller_effect(ev: Evidence, eff: Effects, group: np.ndarray, n: int, weight: np.ndarray) -> np.ndarray:
    """Weighted mean own effect (log-odds) of the streamers that sold each group's goods."""
    u = eff.effect["streamer"][ev.o_streamer]
    return _rate(np.bincount(group, weights=weight * u, minlength=n), np.bincount(group, weights=weight, minlength=n))


def product_table(ev: Evidence, eff: Effects, order_weight: np.ndarray, *, level: float = 0.9) -> pd.DataFrame:
    """One row per product (see the module docstring)."""
    P = ev.n_products
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    F = ev.n_factories
    idx = np.where(ev.product_factory >= 0, ev.product_factory, F)  # F = unknown factory
    phi = np.append(eff.effect["factory"], 0.0)[idx]
    var_f = np.append(1.0 / eff.precision["factory"], eff.tau2["factory"])[idx]
    factory_id = np.append(ev.factory_ids.to_numpy(dtype=object), None)[idx]
    eps = eff.effect["product"]
    var_p = 1.0 / eff.precision["product"]
    eta = eff.mu + phi + eps
    sd = np.sqrt(var_f + var_p)
    conf = np.clip(1.0 - (var_f + var_p) / (eff.tau2["factory"] + eff.tau2["product"]), 0.0, 1.0)
    o_p = ev.o_product
    units = np.bincount(o_p, weights=ev.o_quantity, minlength=P)
    ret_units = np.bincount(o_p, weights=ev.o_returned_units, minlength=P)
    return pd.DataFrame({
        "product_id": ev.product_ids.to_numpy(dtype=object),
        "factory_id": factory_id,
        "trust": 1.0 - expit(eta),
        "confidence": conf,
        "trust_low": 1.0 - expit(eta + z * sd),
        "trust_high": 1.0 - expit(eta - z * sd),
        "product_effect": eps,
        "factory_effect": phi,
        "seller_effect": _seller_effect(ev, eff, o_p, P, order_weight),
        "orders": np.bincount(o_p, minlength=P),
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": _rate(ret_units, units),
        "kept_weight": np.bincount(o_p, weights=order_weight * (1.0 - ev.o_returned), minlength=P),
        "returned_weight": np.bincount(o_p, weights=order_weight * ev.o_returned, minlength=P),
        "streamers": _distinct(o_p, ev.o_streamer, P, ev.n_streamers),
        "buyers": _distinct(o_p, ev.o_consumer, P, ev.n_consumers),
    })


def factory_table(ev: Evidence, eff: Effects, order_weight: np.ndarray, *, level: float = 0.9) -> pd.DataFrame:
    """One row per factory (see the module docstring)."""
    F = ev.n_factories
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    phi = eff.effect["factory"]
    sd = 1.0 / np.sqrt(eff.precision["factory"])
    eta = eff.mu + phi
    known = ev.o_factory >= 0
    o_f = ev.o_factory[known]
    w = order_weight[known]
    units = np.bincount(o_f, weights=ev.o_quantity[known], minlength=F)
    ret_units = np.bincount(o_f, weights=ev.o_returned_units[known], minlength=F)
    u = eff.effect["streamer"][ev.o_streamer[known]]
    seller = _rate(np.bincount(o_f, weights=w * u, minlength=F), np.bincount(o_f, weights=w, minlength=F))
    return pd.DataFrame({
        "factory_id": ev.factory_ids.to_numpy(dtype=object),
        "trust": 1.0 - expit(eta),
        "confidence": eff.confidence("factory"),
        "trust_low": 1.0 - expit(eta + z * sd),
        "trust_high": 1.0 - expit(eta - z * sd),
        "factory_effect": phi,
        "seller_effect": seller,
        "products": np.bincount(ev.product_factory[ev.product_factory >= 0], minlength=F),
        "products_sold": _distinct(o_f, ev.o_product[known], F, ev.n_products),
        "orders": np.bincount(o_f, minlength=F),
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": _rate(ret_units, units),
        "kept_weight": np.bincount(o_f, weights=w * (1.0 - ev.o_returned[known]), minlength=F),
        "returned_weight": np.bincount(o_f, weights=w * ev.o_returned[known], minlength=F),
        "streamers": _distinct(o_f, ev.o_streamer[known], F, ev.n_streamers),
    })
