"""Streamer trust: credible consumers' experience, net of the products, times integrity.

``trust = min(reputation, recent_kept) * integrity``

- **reputation** -- the probability that a purchase from this streamer is kept, over
  the streamer's recent product mix, from the additive model of :mod:`.effects`::

      reputation_s = sum_i m_i (1 - sigmoid(mu + u_s + phi_f(i) + eps_p(i))) / sum_i m_i

  with ``m_i`` the order's forgetting weight times its buyer's credibility. The
  streamer's own effect ``u_s`` is a random effect: shrunk towards 0 (the platform's
  typical streamer) in proportion to how little credible, recent evidence it rests on,
  so a streamer with one kept sale sits near the platform norm for its catalogue, not
  at the top. Evidence is aggregated over *consumers*: each order weighs
  ``decay * credibility``, and each consumer's weight at a streamer is capped softly
  (``cap (1 - exp(-n / cap))``) so no single account -- loyal fan or brushing account
  -- can carry a reputation (Dellarocas 2000).
- **recent_kept** -- the same kept probability with the streamer's effect refitted on
  the last weeks only (``recent_half_life_days``, default 14) and shrunk towards its
  long-run effect: without recent evidence it equals ``reputation``; when the recent
  returns are worse than the long run it is lower and takes over, so a streamer whose
  returns spike loses trust within days rather than within a half-life.
- **integrity** -- 1 for a normal audience, falling as the spam mass of the streamer
  (share of its engagement PageRank starting at suspect accounts) exceeds the platform
  norm (:mod:`.integrity`).

``confidence`` is the share of the posterior precision of ``u_s`` that comes from
data (0: no credible evidence, the score is the prior; towards 1 with evidence);
``trust_low`` / ``trust_high`` bound ``trust`` with ``u_s`` at its credible interval.

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

from ._arrays import unique
from .credibility import Credibility
from .effects import Effects
from .evidence import Evidence
from .integrity import Integrity



def _mix_kept(ev: Evidence, eff: Effects, mix_w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Mix-weighted kept probability per streamer with streamer effects ``u`` (NaN without orders)."""
    S = ev.n_streamers
    fe = np.append(eff.effect["factory"], 0.0)
    fcode = np.where(ev.o_factory < 0, len(fe) - 1, ev.o_factory)
    eta = eff.mu + u[ev.o_streamer] + fe[fcode] + eff.effect["product"][ev.o_product]
    num = np.bincount(ev.o_streamer, weights=mix_w * (1.0 - expit(eta)), minlength=S)
    den = np.bincount(ev.o_streamer, weights=mix_w, minlength=S)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def recent_effect(ev: Evidence, eff: Effects, recent_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Streamer effects on the recent window only, shrunk towards the long-run effects.

    The product and factory effects stay as fitted; each streamer's effect is refitted
    on ``recent_weight`` (a short half-life) with prior ``N(u_s, tau_u^2)``: without
    recent evidence it stays at ``u_s``, with a recent run of returns it moves up.
    """
    from .effects import refit_block

    fe = np.append(eff.effect["factory"], 0.0)
    fcode = np.where(ev.o_factory < 0, len(fe) - 1, ev.o_factory)
    offset = eff.mu + fe[fcode] + eff.effect["product"][ev.o_product]
    live = recent_weight > 1e-6 * max(float(recent_weight.max(initial=0.0)), 1e-300)
    return refit_block(ev.o_streamer[live], ev.n_streamers, ev.o_returned[live], recent_weight[live], offset[live],
                       eff.effect["streamer"], eff.tau2["streamer"])


def streamer_table(ev: Evidence, cred: Credibility, eff: Effects, integ: Integrity, order_weight: np.ndarray,
                   *, recent_weight: np.ndarray | None = None, recent_z: float = 0.0,
                   level: float = 0.9) -> pd.DataFrame:
    """One row per streamer: trust, confidence, interval and components (see the module docstring)."""
    S = ev.n_streamers
    z = float(ndtri(1.0 - (1.0 - level) / 2.0))
    u = eff.effect["streamer"]
    sd = 1.0 / np.sqrt(eff.precision["streamer"])
    mix_w = ev.o_decay * cred.credibility[ev.o_consumer]
    # a streamer whose every buyer is suspect still has a product mix: fall back to decay only
    has_mix = np.bincount(ev.o_streamer, weights=mix_w, minlength=S) > 0
    mix_w = np.where(has_mix[ev.o_streamer], mix_w, ev.o_decay)
    prior_kept = float(1.0 - expit(eff.mu))
    rep = _mix_kept(ev, eff, mix_w, u)
    lo = _mix_kept(ev, eff, mix_w, u + z * sd)  # more returns -> lower bound
    hi = _mix_kept(ev, eff, mix_w, u - z * sd)
    catalog = _mix_kept(ev, eff, mix_w, np.zeros(S))
    no_orders = np.isnan(rep)
    rep = np.where(no_orders, 1.0 - expit(eff.mu + u), rep)
    lo = np.where(no_orders, 1.0 - expit(eff.mu + u + z * sd), lo)
    hi = np.where(no_orders, 1.0 - expit(eff.mu + u - z * sd), hi)
    catalog = np.where(no_orders, prior_kept, catalog)
    # a recent run of returns: the recent window's optimistic bound caps the long-run reputation
    if recent_weight is not None and ev.n_orders:
        u_recent, prec_recent = recent_effect(ev, eff, recent_weight)
        sd_recent = 1.0 / np.sqrt(prec_recent)
        recent_cap = _mix_kept(ev, eff, mix_w, u_recent - recent_z * sd_recent)
        recent_high = _mix_kept(ev, eff, mix_w, u_recent - z * sd_recent)
        recent_low = _mix_kept(ev, eff, mix_w, u_recent + z * sd_recent)
        recent_cap = np.where(np.isnan(recent_cap), rep, recent_cap)
        recent_high = np.where(np.isnan(recent_high), hi, recent_high)
        recent_low = np.where(np.isnan(recent_low), lo, recent_low)
    else:
        u_recent, recent_cap, recent_high, recent_low = u, rep, hi, lo
    capped = recent_cap < rep
    base = np.minimum(rep, recent_cap)
    integrity = integ.integrity
    trust = np.clip(base * integrity, 0.0, 1.0)
    lo = np.minimum(lo, recent_low)
    hi = np.maximum(np.minimum(hi, recent_high), base)

    # ---- components
    o_s = ev.o_streamer
    orders = np.bincount(o_s, minlength=S)
    units = np.bincount(o_s, weights=ev.o_quantity, minlength=S)
    ret_units = np.bincount(o_s, weights=ev.o_returned_units, minlength=S)
    kept_w = np.bincount(o_s, weights=order_weight * (1.0 - ev.o_returned), minlength=S)
    ret_w = np.bincount(o_s, weights=order_weight * ev.o_returned, minlength=S)
    gmv = np.bincount(o_s, weights=ev.o_amount, minlength=S)
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
        "confidence": eff.confidence("streamer"),
        "trust_low": np.clip(lo * integrity, 0.0, 1.0),
        "trust_high": np.clip(hi * integrity, 0.0, 1.0),
        "reputation": rep,
        "integrity": integrity,
        "spam_mass": integ.spam_mass,
        "own_effect": u,
        "recent_own_effect": u_recent,
        "recent_kept": recent_cap,
        "recent_drop": capped,
        "catalog_kept": catalog,
        "prior_kept": prior_kept,
        "orders": orders,
        "units": units.astype(np.int64),
        "returned_units": ret_units.astype(np.int64),
        "return_rate": share(ret_units, units),
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
