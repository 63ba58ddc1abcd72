"""How much a consumer's behaviour should count: consumer credibility in [0, 1].

A streamer's reputation is an aggregate of what its consumers did, so accounts that
exist to manipulate it -- fake followers (follow, never buy) and brushing rings
(clusters of fresh accounts buying in lockstep) -- must carry little weight, while an
ordinary shopper's single return must count in full (credibility never depends on
whether the consumer kept or returned, or it would bias every score towards "kept").

``credibility = account * activity * (1 - lockstep)`` where

- ``account = 1 - exp(-age / account_tau_days)``: the account's age (days from
  registration to its first follow or purchase); a brand-new account that acts at once
  is what bought followers and ring accounts look like. Unknown registration: 1.
- ``activity = 1`` for buyers, ``non_buyer`` for accounts that never bought anything
  anywhere (a follow with nothing behind it is weak evidence of a real person; it
  only ever enters the engagement graph, never the kept/returned evidence).
- ``lockstep = 1 - exp(-max(partners - 1, 0) / lockstep_scale)``: lockstep partners
  (:mod:`.lockstep`, CopyCatch) of the consumer's most suspicious bond; one partner can
  be a coincidence (two fans of the same shows), a group cannot. The raw count, not a share
  of the streamer's buyers: on the generated ``l`` world it penalises 3 of 3 million genuine
  consumers and 18,972 of 19,005 ring members (``bench/credibility_truth.py``).

This is the behavioural seed score of TrustRank [1]_ (a pre-trusted set chosen by
evidence instead of by hand) and the "credibility of the rater" of
Dellarocas [2]_ / Whitby et al. [3]_; propagation (:mod:`.eigentrust`) takes it from here.

References
----------
.. [1] Z. Gyöngyi, H. Garcia-Molina and J. Pedersen, "Combating web spam with TrustRank",
   VLDB 2004.
.. [2] C. Dellarocas, "Immunizing online reputation reporting systems against unfair
   ratings and discriminatory behavior", ACM EC 2000.
.. [3] A. Whitby, A. Jøsang and J. Indulska, "Filtering out unfair ratings in Bayesian
   reputation systems", AAMAS Workshop on Trust in Agent Societies, 2004.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._arrays import unique
from .evidence import Evidence
from .lockstep import lockstep_partners



@dataclass(frozen=True)
class CredibilityParams:
    account_tau_days: float = 7.0
    non_buyer: float = 0.5
    lockstep_scale: float = 2.0
    lockstep_min_days: int = 3
    lockstep_min_shared: int = 3


@dataclass
class Credibility:
    """Per consumer (in consumer-code order): the score and its components."""

    credibility: np.ndarray
    account: np.ndarray
    activity: np.ndarray
    lockstep: np.ndarray
    account_age_days: np.ndarray  # registration -> first activity (NaN unknown)
    lockstep_partners: np.ndarray
    orders: np.ndarray
    streamers_bought: np.ndarray
    streamers_followed: np.ndarray
    bond_partners: tuple[np.ndarray, np.ndarray, np.ndarray]  # (consumer, streamer, partners) of lockstep bonds


def _distinct_pairs(a: np.ndarray, b: np.ndarray, nb: int, n: int) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(n, np.int64)
    key = unique(a * max(nb, 1) + b)
    return np.bincount(key // max(nb, 1), minlength=n)


def consumer_credibility(ev: Evidence, params: CredibilityParams | None = None) -> Credibility:
    """Credibility of every consumer; see the module docstring.

    Examples
    --------
    See ``tests/test_trust_credibility.py``: a fresh account that only follows scores
    low, an old account with purchases scores 1, ring members score low.
    """
    P = params or CredibilityParams()
    C, S = ev.n_consumers, ev.n_streamers
    orders = np.bincount(ev.o_consumer, minlength=C)
    bought = _distinct_pairs(ev.o_consumer, ev.o_streamer, S, C)
    followed = _distinct_pairs(ev.f_consumer, ev.f_streamer, S, C)
    # age of the first activity (days before as_of): oldest follow or purchase
    first = np.full(C, -np.inf)
    if len(ev.o_age):
        np.maximum.at(first, ev.o_consumer, ev.o_age)
    if len(ev.f_age):
        np.maximum.at(first, ev.f_consumer, ev.f_age)
    acct_age = np.where(np.isfinite(first), ev.consumer_registered_age - first, np.nan)
    account = np.where(np.isnan(acct_age), 1.0, 1.0 - np.exp(-np.maximum(acct_age, 0.0) / P.account_tau_days))
    activity = np.where(orders > 0, 1.0, P.non_buyer)
    ls = lockstep_partners(ev.o_consumer, ev.o_streamer, ev.o_day, S,
                           min_days=P.lockstep_min_days, min_shared=P.lockstep_min_shared)
    partners = np.zeros(C, np.int64)
    if len(ls.consumer):
        np.maximum.at(partners, ls.consumer, ls.partners)
    lock = 1.0 - np.exp(-np.maximum(partners - 1, 0) / P.lockstep_scale)
    cred = account * activity * (1.0 - lock)
    flagged = ls.partners > 0
    return Credibility(
        credibility=cred, account=account, activity=activity, lockstep=lock, account_age_days=acct_age,
        lockstep_partners=partners, orders=orders, streamers_bought=bought, streamers_followed=followed,
        bond_partners=(ls.consumer[flagged], ls.streamer[flagged], ls.partners[flagged]),
    )
