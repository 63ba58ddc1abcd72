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

A bond's score is its number of lockstep partners. All pairs come from the sparse
product ``B B^T`` of the bond x (streamer, day) incidence matrix, restricted to the
bonds that can qualify, built one block of bonds at a time: a big streamer's fans
share some day with most of the others, so the whole product grows with the square
of its audience (on the ``l`` world it did not fit in 24 GB), while a block is bounded.

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

from .._arrays import unique



@dataclass(frozen=True)
class Lockstep:
    """Per consumer-streamer bond with ``days`` >= ``min_days``: its partners count."""

    consumer: np.ndarray
    streamer: np.ndarray
    days: np.ndarray  # distinct purchase days of the bond
    partners: np.ndarray  # lockstep partners at the same streamer


#: Upper bound on the entries of one block of ``B B^T`` (about 40 bytes each while a block is processed).
PAIRS_PER_BLOCK = 20_000_000


def lockstep_partners(consumer: np.ndarray, streamer: np.ndarray, day: np.ndarray, n_streamers: int, *,
                      min_days: int = 3, min_shared: int = 3, min_overlap: float = 0.5, alpha: float = 0.01,
                      pairs_per_block: int = PAIRS_PER_BLOCK) -> Lockstep:
    """Lockstep partners of every bond (see the module docstring).

    Parameters
    ----------
    consumer, streamer, day : int arrays, one element per order
        Codes of the buyer and the seller, and the integer day of the purchase.
    n_streamers : int
        Number of streamer codes.
    min_days, min_shared, min_overlap, alpha : see the module docstring.
    pairs_per_block : int
        ``B B^T`` is built for blocks of bonds whose pair count is at most this (an upper
        bound from the day counts), so memory stays bounded however many fans a streamer
        has: a big streamer's fans share some day with most of the others. Same result
        for any value.

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
    bond_days = ndays[rows].astype(np.float64)
    peers, a, b, shared = _large_sharings(inc, bond_days, min_shared, min_overlap, pairs_per_block)
    da, db = bond_days[a], bond_days[b]
    expected = np.maximum(db * busy[a], da * busy[b])
    tests = np.maximum(peers[a], peers[b]).astype(np.float64)
    ok = poisson.sf(shared - 1, expected) * tests < alpha
    partners_sel = np.bincount(a[ok], minlength=len(rows)) + np.bincount(b[ok], minlength=len(rows))
    partners = np.zeros(len(bonds), np.int64)
    partners[rows] = partners_sel
    return Lockstep(consumer=bonds // S, streamer=bonds % S, days=ndays, partners=partners)


def _large_sharings(inc: sp.csr_matrix, bond_days: np.ndarray, min_shared: int, min_overlap: float,
                    pairs_per_block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """From ``C = inc inc^T`` (shared days of two bonds), built one block of rows at a time:
    per bond, how many other bonds share a day with it (``peers``), and the pairs ``a < b``
    whose sharing is large (``shared``). Only those pairs are kept, so memory is one block."""
    n = inc.shape[0]
    # entries of row i of C are at most the sum of its days' bond counts: inc @ (bonds per day)
    bonds_per_day = np.bincount(inc.indices, minlength=inc.shape[1]).astype(np.float64)
    bound = (inc @ bonds_per_day).astype(np.int64)
    peers = np.zeros(n, np.int64)
    found_a, found_b, found_shared = [], [], []
    incT = inc.T.tocsr()
    for start, stop in _blocks(bound, pairs_per_block):
        block = (inc[start:stop] @ incT).tocoo()
        row = block.row.astype(np.int64) + start
        peers[start:stop] = np.bincount(block.row, minlength=stop - start) - 1  # not counting itself
        upper = block.col > row
        a, b = row[upper], block.col[upper].astype(np.int64)
        shared = np.rint(block.data[upper]).astype(np.int64)
        large = (shared >= min_shared) & (shared >= min_overlap * np.minimum(bond_days[a], bond_days[b]))
        found_a.append(a[large]); found_b.append(b[large]); found_shared.append(shared[large])
    return peers, _concat(found_a), _concat(found_b), _concat(found_shared)


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _blocks(bound: np.ndarray, budget: int):
    """Consecutive row ranges whose ``bound`` sums to at most ``budget`` (a row above it alone)."""
    start, n = 0, len(bound)
    total = np.concatenate([[0], np.cumsum(bound)])
    while start < n:
        stop = int(np.searchsorted(total, total[start] + budget, side="right")) - 1
        stop = min(max(stop, start + 1), n)
        yield start, stop
        start = stop
