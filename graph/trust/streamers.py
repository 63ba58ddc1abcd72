"""Streamer trust: credible consumers' experience, net of the products, times integrity.

``trust = min(reputation, recent_kept) * integrity``

- **reputation** -- the probability that a purchase from this streamer is not returned
  for a cause that counts against it, over the streamer's recent product mix, from the
  additive models of :mod:`.effects`, one per cause class ``k`` of :mod:`.reasons`
  (seller, product, neutral)::

      risk_k(s)      = sum_i m_i sigmoid(mu_k + u_ks + phi_kf(i) + eps_kp(i)) / sum_i m_i
      reputation_s   = 1 - sum_k w_k risk_k(s)

  with ``m_i`` the order's forgetting weight times its buyer's credibility and ``w_k``
  the class weights (seller 1, product 1, neutral 0 by default: a "not as described"
  return is the streamer's conduct, a defect is the goods it chose to sell, a changed
  mind is nobody's fault). Summing the class risks is the competing-risks reading of
  one return probability split by cause. The
  streamer's own effects ``u_ks`` are random effects: shrunk towards 0 (the platform's
  typical streamer) in proportion to how little credible, recent evidence they rest on,
  so a streamer with one kept sale sits near the platform norm for its catalogue, not
  at the top. Evidence is aggregated over *consumers*: each order weighs
  ``decay * credibility``, and each consumer's weight at a streamer is capped softly
  (``cap (1 - exp(-n / cap))``) so no single account -- loyal fan or brushing account
  -- can carry a reputation (Dellarocas 2000).
- **recent_kept** -- the same kept probability with the streamer's effects refitted on
  the last weeks only (``recent_half_life_days``, default 14) and shrunk towards its
  long-run effect: without recent evidence it equals ``reputation``; when the recent
  returns are worse than the long run it is lower and takes over, so a streamer whose
  returns spike loses trust within days rather than within a half-life.
- **integrity** -- 1 for a normal audience, falling as the spam mass of the streamer
  (share of its engagement PageRank starting at suspect accounts) exceeds the platform
  norm (:mod:`.integrity`).

``confidence`` is the share of the prior variance of the long-run kept probability that the
streamer's weighted orders remove (:func:`delta_confidence` over the classes' ``u_ks``, at
each class's typical risk; 0: no evidence, the score is the prior; monotone in evidence); the
recent window and integrity are not part of it. ``trust_low`` / ``trust_high`` bound ``trust``
with every ``u_ks`` at its bound at once (conservative), lowered to the recent window's bound
where that is lower, times integrity.

References
----------
.. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Bled eConference 2002.
.. [2] C. Dellarocas, "Immunizing online reputation reporting systems against unfair
   ratings and discriminatory behavior", ACM EC 2000.
.. [3] N. E. Breslow and D. G. Clayton, "Approximate inference in generalized linear
   mixed models", JASA 88(421), 1993.
.. [4] Z. Gyöngyi, P. Berkhin, H. Garcia-Molina and J. Pedersen, "Link spam detection
   based on mass estimation", VLDB 2006.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from .._arrays import unique, weighted_counts
from .credibility import Credibility
from .effects import Effects
from .evidence import Evidence
from .integrity import Integrity

CAUSE_COLUMNS = ("seller", "product", "neutral", "unattributed")



def _risk(ev: Evidence, eff: Effects, mix_w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Mix-weighted probability of a return of ``eff``'s class per streamer, with streamer
    effects ``u`` (NaN without orders)."""
    S = ev.n_streamers
    fe = np.append(eff.effect["factory"], 0.0)
    fcode = np.where(ev.o_factory < 0, len(fe) - 1, ev.o_factory)
    eta = eff.mu + u[ev.o_streamer] + fe[fcode] + eff.effect["product"][ev.o_product]
    num = np.bincount(ev.o_streamer, weights=mix_w * expit(eta), minlength=S)
    den = np.bincount(ev.o_streamer, weights=mix_w, minlength=S)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _kept(ev: Evidence, effs: dict[str, Effects], cw: dict[str, float], mix_w: np.ndarray,
          u: dict[str, np.ndarray]) -> np.ndarray:
    """``1 - sum_k cw_k risk_k``: the weighted kept probability (NaN without orders)."""
    risk = sum(cw[k] * _risk(ev, effs[k], mix_w, u[k]) for k in effs)
    return np.clip(1.0 - risk, 0.0, 1.0)


def _prior_kept(effs: dict[str, Effects], cw: dict[str, float], u: dict[str, np.ndarray]) -> np.ndarray:
    """The kept probability at an unknown product mix (a streamer without orders)."""
    return np.clip(1.0 - sum(cw[k] * expit(effs[k].mu + u[k]) for k in effs), 0.0, 1.0)


def recent_effect(ev: Evidence, eff: Effects, returned: np.ndarray,
                  recent_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Streamer effects of one cause class on the recent window only, shrunk towards the
    long-run effects.

    The product and factory effects stay as fitted; each streamer's effect is refitted
    on ``recent_weight`` (a short half-life) with prior ``N(u_s, tau_u^2)``: without
    recent evidence it stays at ``u_s``, with a recent run of returns it moves up.
    """
    from .effects import refit_block

    fe = np.append(eff.effect["factory"], 0.0)
    fcode = np.where(ev.o_factory < 0, len(fe) - 1, ev.o_factory)
    offset = eff.mu + fe[fcode] + eff.effect["product"][ev.o_product]
    live = recent_weight > 1e-6 * max(float(recent_weight.max(initial=0.0)), 1e-300)
    return refit_block(ev.o_streamer[live], ev.n_streamers, returned[live], recent_weight[live], offset[live],
                       eff.effect["streamer"], eff.tau2["streamer"])


def delta_confidence(cw: dict[str, float], prior_risk: dict[str, float], var: dict[str, np.ndarray],
                     prior_var: dict[str, float | np.ndarray]) -> np.ndarray:
    """Share of the prior variance of ``trust = 1 - sum_k cw_k risk_k`` that the evidence removed.

    ``var_k`` is the variance of class ``k``'s log-odds given the row's evidence,
    ``prior_var_k`` without it. By the delta method at the class's typical risk
    ``r_k = prior_risk_k``, with independent classes,
    ``confidence = 1 - sum_k g_k var_k / sum_k g_k prior_var_k`` with ``g_k = (cw_k r_k (1 - r_k))^2``:
    the same weights for every row, so 0 with no evidence and growing with each class's evidence.
    (Weights at a row's own estimated risk made a row with a high estimated risk look sure whatever
    its evidence: an unsold product above one with 138 orders.)

    Examples
    --------
    >>> delta_confidence({"a": 1.0, "b": 0.0}, {"a": 0.1, "b": 0.2}, {"a": np.array([0.25]), "b": np.array([1.0])},
    ...                  {"a": 1.0, "b": 1.0}).tolist()
    [0.75]
    """
    post = prior = 0.0
    for k, r in prior_risk.items():
        g = (cw[k] * r * (1.0 - r)) ** 2
        post = post + g * var[k]
        prior = prior + g * prior_var[k]
    post, prior = np.asarray(post, dtype=np.float64), np.asarray(prior, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.where(prior > 0, 1.0 - post / np.maximum(prior, 1e-300), 0.0), 0.0, 1.0)


def evidence_var(weighted_orders: np.ndarray, typical_risk: float, tau2: float) -> np.ndarray:
    """Variance of an effect's log-odds given ``weighted_orders`` at the class's typical risk:
    ``1 / (n r (1 - r) + 1 / tau2)`` (the Fisher information of ``n`` orders, plus the prior's).
    It depends on how much evidence there is, not on what it says, so confidence built on it is
    monotone in evidence.

    >>> evidence_var(np.array([0.0, 100.0]), 0.1, 1.0).round(4).tolist()
    [1.0, 0.1]
    """
    return 1.0 / (weighted_orders * typical_risk * (1.0 - typical_risk) + 1.0 / tau2)


def streamer_table(ev: Evidence, cred: Credibility, effs: dict[str, Effects], integ: Integrity,
                   order_weight: np.ndarray, cause_returned: dict[str, np.ndarray], class_weight: dict[str, float],
                   *, recent_weight: np.ndarray | None = None, recent_z: float = 0.0,
                   level: float = 0.9) -> pd.DataFrame:
    """One row per streamer: trust, confidence, interval and components (see the module docstring).

    ``effs`` are the cause classes' fitted models (:mod:`.effects`), ``cause_returned``
    each class's returned share per order and ``class_weight`` how much each class's
    returns count against a streamer.
    """
    S = ev.n_streamers
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    u = {k: e.effect["streamer"] for k, e in effs.items()}
    sd = {k: 1.0 / np.sqrt(e.precision["streamer"]) for k, e in effs.items()}
    zero = {k: np.zeros(S) for k in effs}
    mix_w = ev.o_decay * cred.credibility[ev.o_consumer]
    # a streamer whose every buyer is suspect still has a product mix: fall back to decay only
    has_mix = np.bincount(ev.o_streamer, weights=mix_w, minlength=S) > 0
    mix_w = np.where(has_mix[ev.o_streamer], mix_w, ev.o_decay)
    prior_kept = float(_prior_kept(effs, class_weight, {k: np.zeros(1) for k in effs})[0])

    def kept(shift: dict[str, np.ndarray]) -> np.ndarray:
        out = _kept(ev, effs, class_weight, mix_w, shift)
        return np.where(np.isnan(out), _prior_kept(effs, class_weight, shift), out)

    rep = kept(u)
    lo = kept({k: u[k] + z * sd[k] for k in effs})  # more returns -> lower bound
    hi = kept({k: u[k] - z * sd[k] for k in effs})
    catalog = np.where(np.isnan(_kept(ev, effs, class_weight, mix_w, zero)), prior_kept,
                       _kept(ev, effs, class_weight, mix_w, zero))
    risks = {k: _risk(ev, effs[k], mix_w, u[k]) for k in effs}
    # a recent run of returns: the recent window's optimistic bound caps the long-run reputation
    if recent_weight is not None and ev.n_orders:
        fits = {k: recent_effect(ev, effs[k], cause_returned[k], recent_weight) for k in effs}
        u_recent = {k: f[0] for k, f in fits.items()}
        sd_recent = {k: 1.0 / np.sqrt(f[1]) for k, f in fits.items()}
        recent_cap = kept({k: u_recent[k] - recent_z * sd_recent[k] for k in effs})
        recent_high = kept({k: u_recent[k] - z * sd_recent[k] for k in effs})
        recent_low = kept({k: u_recent[k] + z * sd_recent[k] for k in effs})
    else:
        u_recent, recent_cap, recent_high, recent_low = u, rep, hi, lo
    capped = recent_cap < rep
    base = np.minimum(rep, recent_cap)
    integrity = integ.integrity
    trust = np.clip(base * integrity, 0.0, 1.0)
    lo = np.minimum(lo, recent_low)
    hi = np.maximum(np.minimum(hi, recent_high), base)
    typical = {k: float(expit(effs[k].mu)) for k in effs}
    confidence = delta_confidence(class_weight, typical,
                                  {k: evidence_var(effs[k].weight["streamer"], typical[k], effs[k].tau2["streamer"])
                                   for k in effs},
                                  {k: effs[k].tau2["streamer"] for k in effs})

    # ---- components
    o_s = ev.o_streamer
    orders = np.bincount(o_s, minlength=S)
    units = np.bincount(o_s, weights=ev.o_quantity, minlength=S)
    ret_units = np.bincount(o_s, weights=ev.o_returned_units, minlength=S)
    kept_w = weighted_counts(o_s, order_weight * (1.0 - ev.o_returned), S)
    ret_w = weighted_counts(o_s, order_weight * ev.o_returned, S)
    gmv = weighted_counts(o_s, ev.o_amount, S)
    last = np.full(S, np.inf)
    if ev.n_orders:
        np.minimum.at(last, o_s, ev.o_age)
    # buyers and repeat buyers
    bkey, bcount = np.unique(ev.o_consumer * S + o_s, return_counts=True)
    b_s = bkey % max(S, 1)
    b_c = bkey // max(S, 1)
    buyers = np.bincount(b_s, minlength=S)
    repeat = np.bincount(b_s, weights=(bcount >= 2).astype(float), minlength=S)
    cred_buyers = np.bincount(b_s, weights=cred.credibility[b_c], minlength=S)
    lock_buyers = np.bincount(b_s, weights=(cred.lockstep_partners[b_c] >= 2).astype(float), minlength=S)
    # current followers and their credibility
    active = np.isnan(ev.f_end_age)
    fkey = unique(ev.f_consumer[active] * S + ev.f_streamer[active])
    f_s, f_c = fkey % max(S, 1), fkey // max(S, 1)
    followers = np.bincount(f_s, minlength=S)
    cred_followers = np.bincount(f_s, weights=cred.credibility[f_c], minlength=S)
    bought = np.zeros(len(fkey), bool)
    if len(fkey) and len(bkey):
        pos = np.minimum(np.searchsorted(bkey, fkey), len(bkey) - 1)
        bought = bkey[pos] == fkey
    buying_followers = np.bincount(f_s, weights=bought.astype(float), minlength=S)
    unf = ~active
    unfollows = np.bincount(ev.f_streamer[unf], minlength=S)

    def share(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b > 0, a / np.maximum(b, 1e-300), np.nan)

    return pd.DataFrame({
        "streamer_id": ev.streamer_ids.to_numpy(dtype=object),
        "trust": trust,
        "confidence": confidence,
        "trust_low": np.clip(lo * integrity, 0.0, 1.0),
        "trust_high": np.clip(hi * integrity, 0.0, 1.0),
        "reputation": rep,
        "integrity": integrity,
        "spam_mass": integ.spam_mass,
        "own_effect": u["seller"],
        "recent_own_effect": u_recent["seller"],
        "own_effect_product": u["product"],
        "seller_return_risk": risks["seller"],
        "product_return_risk": risks["product"],
        "neutral_return_risk": risks["neutral"],
        "recent_kept": recent_cap,
        "recent_drop": capped,
        "catalog_kept": catalog,
        "prior_kept": prior_kept,
        "orders": orders,
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": share(ret_units, units),
        **{f"returned_units_{c}": np.rint(np.bincount(o_s, weights=ev.o_returned_units * ev.o_cause[:, i],
                                                       minlength=S)).astype(np.int64)
           for i, c in enumerate(CAUSE_COLUMNS)},
        "gmv": np.round(gmv, 2),
        "kept_weight": kept_w,
        "returned_weight": ret_w,
        "buyers": buyers,
        "credible_buyer_share": share(cred_buyers, buyers),
        "repeat_buyer_share": share(repeat, buyers),
        "lockstep_buyers": lock_buyers.astype(np.int64),
        "followers": followers,
        "credible_follower_share": share(cred_followers, followers),
        "buying_follower_share": share(buying_followers, followers),
        "unfollows": unfollows,
        "last_order_days": np.where(np.isfinite(last), last, np.nan),
    })
