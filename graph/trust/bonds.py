"""Bonds: how much one consumer trusts one streamer, as a Beta reputation of their history.

For every consumer-streamer pair with a follow or an order, a Beta reputation
(Jøsang and Ismail 2002) with forgetting (half-life) and a prior centred on the
streamer's trust (what a consumer without experience may expect)::

    positive = sum_orders decay * kept_share * maturity
               + follow_evidence * following * min(tenure / tenure_full_days, 1)
    negative = sum_orders decay * returned_share
               + unfollow_evidence * unfollowed * decay(days since the unfollow)
    trust    = (k * streamer_trust + positive) / (k + positive + negative)

So the bond grows with repeat purchases that are kept and with a long-standing
follow, breaks with returns and an unfollow, and fades back to the streamer's general
trust as the history ages. ``confidence = n / (n + k) * credibility``: the weight of the
pair's own evidence ``n = positive + negative`` in the posterior, times the consumer's
credibility (a bought follower's "bond" is no evidence of anything).
Bonds carry no interval columns (millions of rows; an exact Beta quantile costs a
micro-second each): the posterior is ``Beta(k * prior + positive, k * (1 - prior) +
negative)`` from the ``prior``, ``positive_evidence`` and ``negative_evidence`` columns,
for anyone who wants one (:func:`.beta.interval`).

References
----------
.. [1] A. Jøsang and R. Ismail, "The Beta Reputation System", Bled eConference 2002.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import beta
from ._arrays import unique
from .credibility import Credibility
from .evidence import Evidence



def bond_table(ev: Evidence, cred: Credibility, streamer_trust: np.ndarray, *, prior_strength: float = 4.0,
               follow_evidence: float = 1.0, unfollow_evidence: float = 1.0,
               tenure_full_days: float = 90.0) -> pd.DataFrame:
    """One row per consumer-streamer pair with a follow or an order (see the module docstring)."""
    S = max(ev.n_streamers, 1)
    okey = ev.o_consumer * S + ev.o_streamer
    # follows: one state per pair -- the latest follow decides (following / unfollowed)
    fkey = ev.f_consumer * S + ev.f_streamer
    keys = unique(np.concatenate([okey, fkey]))
    n = len(keys)
    oi = np.searchsorted(keys, okey)
    fi = np.searchsorted(keys, fkey)

    kept = ev.o_decay * (1.0 - ev.o_returned) * ev.o_maturity
    ret = ev.o_decay * ev.o_returned
    pos = np.bincount(oi, weights=kept, minlength=n)
    neg = np.bincount(oi, weights=ret, minlength=n)
    orders = np.bincount(oi, minlength=n)
    units = np.bincount(oi, weights=ev.o_quantity, minlength=n)
    ret_units = np.bincount(oi, weights=ev.o_returned_units, minlength=n)
    gmv = np.bincount(oi, weights=ev.o_amount, minlength=n)
    last = np.full(n, np.inf)
    if len(oi):
        np.minimum.at(last, oi, ev.o_age)

    # latest follow of each pair (smallest age); its end decides the state
    first_follow = np.full(n, -np.inf)  # oldest follow age -> tenure
    latest_age = np.full(n, np.inf)
    if len(fi):
        np.maximum.at(first_follow, fi, ev.f_age)
        np.minimum.at(latest_age, fi, ev.f_age)
    is_latest = np.zeros(len(fi), bool)
    if len(fi):
        is_latest = ev.f_age == latest_age[fi]
    end_age = np.full(n, np.nan)
    if len(fi):
        end_age[fi[is_latest]] = ev.f_end_age[is_latest]
    followed = np.isfinite(first_follow)
    following = followed & np.isnan(end_age)
    unfollowed = followed & ~np.isnan(end_age)
    # tenure: days from the first follow to now (or to the unfollow)
    tenure = np.where(followed, first_follow - np.where(unfollowed, end_age, 0.0), 0.0)
    f_pos = follow_evidence * following * np.minimum(tenure / tenure_full_days, 1.0)
    f_neg = unfollow_evidence * unfollowed * beta.decay(np.nan_to_num(end_age), ev.half_life_days)
    positive = pos + f_pos
    negative = neg + f_neg

    c = keys // S
    s = keys % S
    prior = np.clip(np.asarray(streamer_trust, dtype=np.float64)[s], 1e-4, 1 - 1e-4)
    a, b = beta.posterior(positive, negative, prior, prior_strength)
    credibility = cred.credibility[c]
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({
            "consumer_id": ev.consumer_ids.to_numpy(dtype=object)[c],
            "streamer_id": ev.streamer_ids.to_numpy(dtype=object)[s],
            "trust": beta.expectation(a, b),
            "confidence": beta.evidence_confidence(positive + negative, prior_strength) * credibility,
            "prior": prior,
            "positive_evidence": positive,
            "negative_evidence": negative,
            "following": following,
            "followed_days": np.where(followed, tenure, np.nan),
            "unfollowed": unfollowed,
            "orders": orders,
            "units": units.astype(np.int64),
            "returned_units": ret_units.astype(np.int64),
            "repeat_buyer": orders >= 2,
            "gmv": np.round(gmv, 2),
            "last_order_days": np.where(np.isfinite(last), last, np.nan),
            "consumer_credibility": credibility,
            "lockstep_partners": cred.lockstep_partners[c],
        })
