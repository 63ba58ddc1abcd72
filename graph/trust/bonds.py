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

from .._arrays import unique, weighted_counts
from . import beta
from .credibility import Credibility
from .evidence import Evidence



#: Consumer-streamer pairs per block of :func:`bond_table`: its ~30 temporary arrays are per
#: pair, so a block bounds them (the l world has 17.3M pairs; see bench/results/score.md). At
#: 5M a float column of a block is 40 MB: above glibc's largest mmap threshold (32 MiB), so
#: it is returned to the system when freed instead of staying in the heap.
PAIRS_PER_BLOCK = 5_000_000


def bond_table(ev: Evidence, cred: Credibility, streamer_trust: np.ndarray, *, prior_strength: float = 4.0,
               follow_evidence: float = 1.0, unfollow_evidence: float = 1.0,
               tenure_full_days: float = 90.0, pairs_per_block: int | None = None) -> pd.DataFrame:
    """One row per consumer-streamer pair with a follow or an order (see the module docstring).

    Pairs are scored in blocks of ``pairs_per_block`` (default :data:`PAIRS_PER_BLOCK`) in
    (consumer, streamer) order. A pair's orders and follows keep their order in every
    block, so its sums are the same as over all pairs at once, to the last bit.
    """
    S = max(ev.n_streamers, 1)
    okey = ev.o_consumer * S + ev.o_streamer
    fkey = ev.f_consumer * S + ev.f_streamer
    keys = unique(np.concatenate([okey, fkey]))
    # each pair's orders (follows) in their own order: a block takes one slice of these
    o_rows, f_rows = np.argsort(okey, kind="stable"), np.argsort(fkey, kind="stable")
    o_sorted, f_sorted = okey[o_rows], fkey[f_rows]
    ids = (ev.consumer_ids.to_numpy(dtype=object), ev.streamer_ids.to_numpy(dtype=object))
    trust = np.asarray(streamer_trust, dtype=np.float64)
    step = max(1, pairs_per_block or PAIRS_PER_BLOCK)
    parts = []
    for lo in range(0, max(1, len(keys)), step):
        block = keys[lo:lo + step]
        bounds = [block[0], block[-1] + 1] if len(block) else [0, 0]
        o_lo, o_hi = np.searchsorted(o_sorted, bounds)
        f_lo, f_hi = np.searchsorted(f_sorted, bounds)
        parts.append(_bond_block(ev, cred, trust, ids, block, S, o_rows[o_lo:o_hi], f_rows[f_lo:f_hi],
                                 prior_strength, follow_evidence, unfollow_evidence, tenure_full_days))
    # column by column, each block's part dropped once joined; copy=False: no second copy of
    # every column to consolidate them (2.5 GB on the l world)
    columns = {name: np.concatenate([part.pop(name) for part in parts]) for name in list(parts[0])}
    return pd.DataFrame(columns, copy=False)


def _followed_days(fi: np.ndarray, f_age: np.ndarray, f_end_age: np.ndarray, n: int) -> np.ndarray:
    """Days each pair has followed: the union of its follows' spans (ages are days before ``as_of``,
    an open follow ends at 0), so the gap between an unfollow and a re-follow does not count, nor do
    days two follows of the pair share (an open follow sent again with a later start)."""
    if not len(fi):
        return np.zeros(n)
    order = np.lexsort((-f_age, fi))  # per pair, earliest follow first
    pair, start, end = fi[order], f_age[order], np.nan_to_num(f_end_age[order], nan=0.0)
    # the earlier follows of the pair cover every age from their earliest end up to this one's start
    covered_down_to = pd.Series(end).groupby(pair).cummin().groupby(pair).shift(1, fill_value=np.inf).to_numpy()
    return np.bincount(pair, weights=np.maximum(np.minimum(start, covered_down_to) - end, 0.0), minlength=n)


def _bond_block(ev: Evidence, cred: Credibility, streamer_trust: np.ndarray, ids: tuple[np.ndarray, np.ndarray],
                keys: np.ndarray, S: int, o_sel: np.ndarray, f_sel: np.ndarray, prior_strength: float,
                follow_evidence: float, unfollow_evidence: float, tenure_full_days: float) -> dict[str, np.ndarray]:
    """The columns of the pairs ``keys`` (sorted ``consumer * S + streamer``) from their orders
    ``o_sel`` and follows ``f_sel`` (positions in ``ev``, each pair's in their original order)."""
    n = len(keys)
    oi = np.searchsorted(keys, ev.o_consumer[o_sel] * S + ev.o_streamer[o_sel])
    fi = np.searchsorted(keys, ev.f_consumer[f_sel] * S + ev.f_streamer[f_sel])
    decay, returned = ev.o_decay[o_sel], ev.o_returned[o_sel]
    kept = decay * (1.0 - returned) * ev.o_maturity[o_sel]
    ret = decay * returned
    pos = np.bincount(oi, weights=kept, minlength=n)
    neg = np.bincount(oi, weights=ret, minlength=n)
    orders = np.bincount(oi, minlength=n)
    units = np.bincount(oi, weights=ev.o_quantity[o_sel], minlength=n)
    ret_units = np.bincount(oi, weights=ev.o_returned_units[o_sel], minlength=n)
    gmv = weighted_counts(oi, ev.o_amount[o_sel], n)
    last = np.full(n, np.inf)
    if len(oi):
        np.minimum.at(last, oi, ev.o_age[o_sel])

    # latest follow of each pair (smallest age); its end decides the state
    f_age, f_end_age = ev.f_age[f_sel], ev.f_end_age[f_sel]
    first_follow = np.full(n, -np.inf)  # oldest follow age: followed at all
    latest_age = np.full(n, np.inf)
    if len(fi):
        np.maximum.at(first_follow, fi, f_age)
        np.minimum.at(latest_age, fi, f_age)
    is_latest = np.zeros(len(fi), bool)
    if len(fi):
        is_latest = f_age == latest_age[fi]
    end_age = np.full(n, np.nan)
    if len(fi):
        end_age[fi[is_latest]] = f_end_age[is_latest]
    followed = np.isfinite(first_follow)
    following = followed & np.isnan(end_age)
    unfollowed = followed & ~np.isnan(end_age)
    tenure = _followed_days(fi, f_age, f_end_age, n)
    f_pos = follow_evidence * following * np.minimum(tenure / tenure_full_days, 1.0)
    f_neg = unfollow_evidence * unfollowed * beta.decay(np.nan_to_num(end_age), ev.half_life_days)
    positive = pos + f_pos
    negative = neg + f_neg

    c = keys // S
    s = keys % S
    prior = np.clip(streamer_trust[s], 1e-4, 1 - 1e-4)
    a, b = beta.posterior(positive, negative, prior, prior_strength)
    credibility = cred.credibility[c]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "consumer_id": ids[0][c],
            "streamer_id": ids[1][s],
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
        }
