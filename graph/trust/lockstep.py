"""Lockstep buying: groups of accounts that repeatedly buy from one streamer on the same days.

A brushing ring is a cluster of accounts that place orders at one streamer in
campaigns: the same accounts, the same days, again and again. Genuine shoppers of the
same streamer also meet on busy days (promotions), but rarely on many of the same
days. Following CopyCatch [1]_ (lockstep behaviour: the same users acting on the same
objects in the same time windows), for every consumer-streamer bond with purchases on
at least ``min_days`` distinct days we count, per other such bond of the same streamer,
the number of shared purchase days, and call a pair *lockstep* when the sharing is

- large: at least ``min_shared`` days and at least ``min_overlap`` of the shorter
  bond's days, and
- surprising: ``P(Poisson(E) >= shared) * peers < alpha``, where
  ``E = max(d_b sum_{t in D_a} pi_t, d_a sum_{t in D_b} pi_t)`` is the number of
  shared days expected if one of the two had shopped on its own days ``D`` and the
  other at random on the platform's daily activity profile ``pi`` (so two fans who
  both shop on the big promotion days are not surprising, and two accounts that meet
  on the same quiet days are), and ``peers`` -- the number of bonds the pair's busier member shares any
  day with -- corrects for testing every pair (Bonferroni): a fan of a big streamer
  meets hundreds of other fans, and some will share a few days by chance.

A bond's score is its number of lockstep partners. All pairs come from one sparse
product ``B B^T`` of the bond x (streamer, day) incidence matrix, restricted to the
bonds that can qualify.

References
----------
.. [1] A. Beutel, W. Xu, V. Guruswami, C. Palow and C. Faloutsos, "CopyCatch: stopping
   group attacks by spotting lockstep behavior in social networks", WWW 2013.
.. [2] M. Jiang, P. Cui, A. Beutel, C. Faloutsos and S. Yang, "Inferring lockstep
   behavior from connectivity pattern in large graphs", Knowledge and Information
   Systems 48, 2016.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.stats import poisson

from ._arrays import unique



@dataclass(frozen=True)
class Lockstep:
    """Per consumer-streamer bond with ``days`` >= ``min_days``: its partners count."""

    consumer: np.ndarray
    streamer: np.ndarray
    days: np.ndarray  # distinct purchase days of the bond
    partners: np.ndarray  # lockstep partners at the same streamer


def lockstep_partners(consumer: np.ndarray, streamer: np.ndarray, day: np.ndarray, n_streamers: int, *,
                      min_days: int = 3, min_shared: int = 3, min_overlap: float = 0.5, alpha: float = 0.01) -> Lockstep:
    """Lockstep partners of every bond (see the module docstring).

    Parameters
    ----------
    consumer, streamer, day : int arrays, one element per order
        Codes of the buyer and the seller, and the integer day of the purchase.
    n_streamers : int
        Number of streamer codes.
    min_days, min_shared, min_overlap, alpha : see the module docstring.

    Examples
    --------
    >>> # consumers 0-3 all buy at streamer 0 on days 1, 20, 40, 60, 80; consumer 4 on days 1, 2, 3
    >>> c = np.array([0] * 5 + [1] * 5 + [2] * 5 + [3] * 5 + [4] * 3)
    >>> d = np.array([1, 20, 40, 60, 80] * 4 + [1, 2, 3])
    >>> filler = np.arange(1000)  # ordinary one-off shoppers, for the platform's daily profile
    >>> c = np.concatenate([c, 10 + filler]); d = np.concatenate([d, filler % 120])
    >>> r = lockstep_partners(c, np.zeros(len(c), int), d, 1)
    >>> {k: v for k, v in zip(r.consumer.tolist(), r.partners.tolist()) if k < 5}
    {0: 3, 1: 3, 2: 3, 3: 3, 4: 0}
    """
    consumer = np.asarray(consumer, dtype=np.int64)
    streamer = np.asarray(streamer, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    empty = np.zeros(0, np.int64)
    if len(day) == 0:
        return Lockstep(empty, empty, empty, empty)
    day = day - day.min()
    n_days = int(day.max()) + 1
    S = max(int(n_streamers), 1)
    key = unique((consumer * S + streamer) * n_days + day)  # distinct (bond, day)
    bond = key // n_days
    bday = key % n_days
    # platform daily profile over distinct buyer-days
    pi = np.bincount(bday, minlength=n_days) / len(bday)

    bonds, inv, ndays = np.unique(bond, return_inverse=True, return_counts=True)
    sel = ndays[inv] >= min_days
    if not sel.any():
        return Lockstep(bonds // S, bonds % S, ndays, np.zeros(len(bonds), np.int64))
    rows, rinv = np.unique(inv[sel], return_inverse=True)
    busy = np.bincount(rinv, weights=pi[bday[sel]], minlength=len(rows))  # sum of pi over the bond's days
    window = (bond[sel] % S) * n_days + bday[sel]
    _, winv = np.unique(window, return_inverse=True)
    inc = sp.csr_matrix((np.ones(len(rinv), dtype=np.float32), (rinv, winv)), shape=(len(rows), int(winv.max()) + 1))
    co = sp.triu(inc @ inc.T, k=1).tocoo()
    a, b = co.row, co.col
    shared = np.rint(co.data).astype(np.int64)
    da = ndays[rows[a]].astype(np.float64)
    db = ndays[rows[b]].astype(np.float64)
    expected = np.maximum(db * busy[a], da * busy[b])
    peers = np.bincount(a, minlength=len(rows)) + np.bincount(b, minlength=len(rows))
    tests = np.maximum(peers[a], peers[b]).astype(np.float64)
    ok = (shared >= min_shared) & (shared >= min_overlap * np.minimum(da, db))
    ok[ok] = poisson.sf(shared[ok] - 1, expected[ok]) * tests[ok] < alpha
    partners_sel = np.bincount(a[ok], minlength=len(rows)) + np.bincount(b[ok], minlength=len(rows))
    partners = np.zeros(len(bonds), np.int64)
    partners[rows] = partners_sel
    return Lockstep(consumer=bonds // S, streamer=bonds % S, days=ndays, partners=partners)
