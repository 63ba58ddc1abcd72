"""``TrustModel``: one estimator for all four trust scores.

The steps, each in its own module:

1. :mod:`.evidence` -- encode the projection; per order: forgetting weight
   (half-life), returned share, maturity of the return window.
2. :mod:`.credibility` -- per consumer: account age, buyer or not, lockstep
   (brushing-ring) partners (:mod:`.lockstep`).
3. :mod:`.reasons` and :mod:`.effects` -- returns split by the cause class of their
   reason (seller, product, neutral; unattributed ones shared out), and per class the
   additive logistic model of returns (streamer + factory + product random effects) on
   credible, recent, per-consumer-capped evidence; the streamer effects are refitted on a
   short recent window as well.
4. :mod:`.integrity` -- spam mass of each streamer by propagation from credible
   consumers (:mod:`.eigentrust`).
5. :mod:`.streamers`, :mod:`.products` (products and factories), :mod:`.bonds`.

All scores are in [0, 1] and come with ``confidence`` (0 = prior only, 1 = strong
evidence), a credible interval ``trust_low`` / ``trust_high`` and component columns.
Same projection and parameters, identical results (no randomness, no wall clock).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from ..projection import Projection
from .beta import decay
from .bonds import bond_table
from .credibility import CredibilityParams, consumer_credibility
from .effects import fit_effects
from .evidence import build_evidence
from .integrity import streamer_integrity
from .products import factory_table, product_table
from .reasons import CLASSES, reason_classes
from .streamers import streamer_table

OUTPUTS = ("streamers", "consumer_streamer", "products", "factories")


@dataclass(frozen=True)
class TrustParams:
    """Every parameter of the model (the manifest records them all)."""

    half_life_days: float = 90.0
    recent_half_life_days: float = 14.0
    recent_z: float = 0.0
    consumer_cap: float = 5.0
    level: float = 0.9
    # credibility
    account_tau_days: float = 7.0
    non_buyer_credibility: float = 0.5
    lockstep_scale: float = 2.0
    lockstep_min_days: int = 3
    lockstep_min_shared: int = 3
    # integrity (spam mass)
    follow_weight: float = 1.0
    propagation_alpha: float = 0.5
    integrity_mad_k: float = 4.0
    integrity_margin: float = 0.05
    integrity_scale: float = 0.3
    # effects
    em_rounds: int = 6
    # return reasons (:mod:`.reasons`): who caused a return, and how much each cause counts
    reason_classes: dict | None = None
    unattributed: str = "split"
    seller_weight: float = 1.0
    product_weight: float = 1.0
    neutral_weight: float = 0.0
    # bonds
    bond_prior_strength: float = 4.0
    follow_evidence: float = 1.0
    unfollow_evidence: float = 1.0
    tenure_full_days: float = 90.0

    def credibility_params(self) -> CredibilityParams:
        """The credibility settings among these (what :func:`.credibility.consumer_credibility` takes)."""
        return CredibilityParams(account_tau_days=self.account_tau_days, non_buyer=self.non_buyer_credibility,
                                 lockstep_scale=self.lockstep_scale, lockstep_min_days=self.lockstep_min_days,
                                 lockstep_min_shared=self.lockstep_min_shared)


class TrustModel:
    """Trust scores of streamers, consumer-streamer bonds, products and factories.

    Parameters
    ----------
    half_life_days : float, default 90
        Forgetting: an order or unfollow ``a`` days old counts ``2 ** (-a / half_life_days)``.
    recent_half_life_days : float, default 14
        The short window that lets a streamer whose returns spike lose trust within
        days (:mod:`.streamers`); the recent evidence counts in both windows, which
        makes the short one deliberately quick to react.
    consumer_cap : float, default 5
        Soft cap on one consumer's (decayed, credibility-weighted) orders at one streamer.
    level : float, default 0.9
        Level of the ``trust_low`` / ``trust_high`` credible intervals.
    reason_classes : {reason: "seller" | "product" | "neutral" | None}, optional (a ``**params`` field)
        Return reasons merged over :data:`.reasons.DEFAULT_REASON_CLASSES`.
    unattributed : {"split", "seller", "product", "neutral"}, default "split" (a ``**params`` field)
        Where returned units without a known reason go (:func:`cause_outcomes`).
    seller_weight, product_weight, neutral_weight : float, default 1, 1, 0 (``**params`` fields)
        How much each cause class's returns count against trust.
    **params
        Any other field of :class:`TrustParams` (credibility, integrity, bond settings).

    Attributes
    ----------
    streamers, consumer_streamer, products, factories : pandas.DataFrame
        The results after :meth:`fit` (also in ``results_``), sorted by id.
    as_of_ : pandas.Timestamp
        The reference time of the scores.
    timings_ : dict
        Seconds per step.
    diagnostics_ : dict
        Fitted variance components, propagation iterations, integrity threshold.

    References
    ----------
    Jøsang & Ismail 2002 (Beta reputation, forgetting); Kamvar et al. 2003 (EigenTrust);
    Gyöngyi et al. 2004 (TrustRank) and 2006 (spam mass); Beutel et al. 2013 (CopyCatch);
    Dellarocas 2000 (unfair ratings); Breslow & Clayton 1993 (mixed models); Wilson 1927
    and Casella 1985 (small-sample rates) -- see each module.

    Examples
    --------
    >>> model = TrustModel(half_life_days=60).fit(projection)    # doctest: +SKIP
    >>> model.streamers.nlargest(5, "trust")[["streamer_id", "trust", "confidence"]]  # doctest: +SKIP
    """

    def __init__(self, half_life_days: float = 90.0, consumer_cap: float = 5.0, level: float = 0.9, **params: Any):
        known = {f.name for f in fields(TrustParams)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise TypeError(f"unknown TrustModel parameter(s): {', '.join(unknown)}")
        self.params = replace(TrustParams(), half_life_days=float(half_life_days), consumer_cap=float(consumer_cap),
                              level=float(level), **params)
        if not self.params.half_life_days > 0:
            raise ValueError("half_life_days must be positive")
        reason_classes(self.params.reason_classes)  # a bad mapping fails here, not mid-run
        if self.params.unattributed != "split" and self.params.unattributed not in CLASSES:
            raise ValueError(f"unattributed must be 'split' or one of {', '.join(CLASSES)}, "
                             f"not {self.params.unattributed!r}")
        self.results_: dict[str, pd.DataFrame] = {}
        self.timings_: dict[str, float] = {}
        self.diagnostics_: dict[str, Any] = {}
        self.as_of_: pd.Timestamp | None = None

    def get_params(self) -> dict[str, Any]:
        """All parameters as a plain dict (scikit-learn style)."""
        return asdict(self.params)

    # results as attributes
    @property
    def streamers(self) -> pd.DataFrame:
        return self.results_["streamers"]

    @property
    def consumer_streamer(self) -> pd.DataFrame:
        return self.results_["consumer_streamer"]

    @property
    def products(self) -> pd.DataFrame:
        return self.results_["products"]

    @property
    def factories(self) -> pd.DataFrame:
        return self.results_["factories"]

    def fit(self, projection: Projection) -> "TrustModel":
        """Compute every score from ``projection``; returns ``self``."""
        P = self.params
        t: dict[str, float] = {}
        t0 = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal t0
            now = time.perf_counter()
            t[name] = now - t0
            t0 = now

        ev = build_evidence(projection, P.half_life_days, reason_classes(P.reason_classes))
        lap("evidence")
        cred = consumer_credibility(ev, P.credibility_params())
        lap("credibility")
        weight = order_weights(ev, cred.credibility, P.consumer_cap)
        returned, split = cause_outcomes(ev, P.unattributed)
        effs = {k: fit_effects(ev.o_streamer, ev.o_product, ev.product_factory, returned[k], weight,
                               ev.n_streamers, ev.n_products, ev.n_factories, em_rounds=P.em_rounds)
                for k in CLASSES}
        cw = {"seller": P.seller_weight, "product": P.product_weight, "neutral": P.neutral_weight}
        lap("effects")
        integ = streamer_integrity(ev, cred.credibility, follow_weight=P.follow_weight, alpha=P.propagation_alpha,
                                   mad_k=P.integrity_mad_k, margin=P.integrity_margin,
                                   scale=P.integrity_scale)
        lap("propagation")
        recent = order_weights(ev, cred.credibility, P.consumer_cap, decay(ev.o_age, P.recent_half_life_days))
        streamers = streamer_table(ev, cred, effs, integ, weight, returned, cw, recent_weight=recent,
                                   recent_z=P.recent_z, level=P.level)
        products = product_table(ev, effs, cw, weight, level=P.level)
        factories = factory_table(ev, effs, cw, weight, level=P.level)
        lap("entities")
        bonds = bond_table(ev, cred, streamers["trust"].to_numpy(), prior_strength=P.bond_prior_strength,
                           follow_evidence=P.follow_evidence, unfollow_evidence=P.unfollow_evidence,
                           tenure_full_days=P.tenure_full_days)
        lap("bonds")
        self.results_ = {"streamers": streamers, "consumer_streamer": bonds, "products": products,
                         "factories": factories}
        self.timings_ = t
        self.as_of_ = ev.as_of
        self.diagnostics_ = {
            "as_of": ev.as_of.isoformat(),
            "orders": ev.n_orders,
            "consumers": ev.n_consumers,
            "effects_tau2": {c: {k: round(float(v), 6) for k, v in e.tau2.items()} for c, e in effs.items()},
            "effects_mu": {c: round(float(e.mu), 6) for c, e in effs.items()},
            "effects_iterations": {c: e.iterations for c, e in effs.items()},
            "returned_units_by_cause": {c: round(float(np.sum(ev.o_returned_units * ev.o_cause[:, i])), 3)
                                        for i, c in enumerate((*CLASSES, "unattributed"))},
            "unattributed_split": {c: round(float(v), 6) for c, v in zip(CLASSES, split)},
            "propagation_iterations": integ.propagation.iterations,
            "integrity_reference": round(float(integ.reference), 6),
            "return_delay_median_days": float(np.median(ev.return_delays)) if len(ev.return_delays) else None,
            "lockstep_consumers": int(np.sum(cred.lockstep_partners >= 2)),
            "order_evidence": order_evidence(ev, cred.credibility, weight),
        }
        return self


def cause_outcomes(ev, unattributed: str = "split") -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each cause class's returned share per order, with unattributed units shared out.

    ``unattributed="split"`` shares an order's unattributed units among the classes in the
    platform's proportions of attributed returned units (what an unlabelled return most
    likely was); a class name gives them all to that class. Without any attributed
    return at all they go to ``seller``, which makes the seller model the single
    return model of a platform without reason codes.

    Returns
    -------
    returned : {class: array}
        Returned share of each order by class; summed over the classes, ``ev.o_returned``.
    split : array of 3 floats
        The shares used for unattributed units.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> ev = SimpleNamespace(o_returned=np.array([1.0, 0.5]), o_returned_units=np.array([2.0, 1.0]),
    ...                      o_cause=np.array([[0.5, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, 0.0]]))
    >>> y, split = cause_outcomes(ev)
    >>> split.tolist(), y["seller"].tolist(), y["product"].tolist()
    ([0.5, 0.5, 0.0], [0.75, 0.0], [0.25, 0.5])
    """
    if unattributed == "split":
        att = (ev.o_returned_units[:, None] * ev.o_cause[:, :3]).sum(axis=0)
        split = att / att.sum() if att.sum() > 0 else np.array([1.0, 0.0, 0.0])
    elif unattributed in CLASSES:
        split = np.array([float(c == unattributed) for c in CLASSES])
    else:
        raise ValueError(f"unattributed must be 'split' or one of {', '.join(CLASSES)}, not {unattributed!r}")
    share = ev.o_cause[:, :3] + ev.o_cause[:, 3:4] * split[None, :]
    return {c: ev.o_returned * share[:, i] for i, c in enumerate(CLASSES)}, split


def order_evidence(ev, credibility: np.ndarray, weight: np.ndarray) -> dict[str, float | None]:
    """Mean evidence weight of an order, and the mean of each of its factors (1 = full weight):
    what to look at when the scores stay near their priors. ``cap`` is the share of the uncapped
    weight that the per-pair cap keeps. ``None`` without orders."""
    if ev.n_orders == 0:
        return {"weight": None, "recency": None, "credibility": None, "maturity": None, "cap": None}
    cred, maturity = np.asarray(credibility)[ev.o_consumer], _maturity(ev)
    uncapped = float(np.sum(ev.o_decay * cred * maturity))
    return {"weight": round(float(np.mean(weight)), 6), "recency": round(float(np.mean(ev.o_decay)), 6),
            "credibility": round(float(np.mean(cred)), 6), "maturity": round(float(np.mean(maturity)), 6),
            "cap": round(float(np.sum(weight)) / uncapped, 6) if uncapped > 0 else 1.0}


def _maturity(ev) -> np.ndarray:
    """A returned order counts in full; one not returned (yet) in proportion to the share of returns
    that would already have arrived at its age."""
    return np.where(ev.o_returned > 0, 1.0, ev.o_maturity)


def order_weights(ev, credibility: np.ndarray, cap: float, forgetting: np.ndarray | None = None) -> np.ndarray:
    """Evidence weight of each order: decay x buyer credibility x maturity, capped per consumer-streamer.

    A returned order counts in full; an order not returned (yet) counts in proportion
    to the share of returns that would already have arrived at its age (maturity).
    Each consumer's total weight at a streamer ``n`` is softly capped to
    ``cap (1 - exp(-n / cap))``.
    """
    forgetting = ev.o_decay if forgetting is None else forgetting
    cred = np.asarray(credibility)[ev.o_consumer]
    w = forgetting * cred * _maturity(ev)
    if not np.isfinite(cap) or ev.n_orders == 0:
        return w
    S = max(ev.n_streamers, 1)
    _, inv = np.unique(ev.o_consumer * S + ev.o_streamer, return_inverse=True)
    n = np.bincount(inv, weights=w)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, cap * (1.0 - np.exp(-n / cap)) / np.maximum(n, 1e-300), 0.0)
    return w * scale[inv]
