"""Brushing bursts seen from the products: single-streamer accounts buying the same
product from the same streamer on the same day.

A brushing ring is a cluster of accounts that exist to buy a streamer's target products
in campaigns. The trust model's lockstep test (:mod:`livetrust.graph.trust.lockstep`,
CopyCatch) needs a ring member to have bought on at least three distinct days before it
can say anything, so a ring that has run only one or two campaigns yet goes unflagged.
Two things give such a ring away from its first campaign on: its accounts buy from **one
streamer only** (genuine shoppers rarely do: on the generated worlds about an eighth of
genuine order lines come from single-streamer buyers, every ring line does), and they buy
**the same product on the same day** together (CopyCatch's lockstep, restricted to one
object and one time window [1]_).

A streamer's *burst share* is the share of its order lines placed by single-streamer
buyers in groups of at least ``min_buyers`` distinct such buyers of the same product on
the same day. The demotion rule (``scores.py``) flags a streamer whose burst share is at
least ``Demotion.flag_burst``.

A share dilutes a ring in a large streamer's volume (on the ``m`` world two rings of 41
and 141 orders were 4-9 % of their streamers' lines). :func:`surprising_burst_lines`
asks the question per group instead: is this many single-streamer buyers of one product
on one day plausible given how often such buyers buy that product from that streamer on
other days? Under a Poisson background [2]_ with the pair's leave-one-out daily rate
``λ = (n_sp - k + 1/2) / (D - 1)`` (``n_sp`` such buyer-days of the pair, ``D`` days the
streamer sold on, half a count of prior so an unseen pair has a small positive rate) a
group of ``k`` is surprising when ``P(K >= k) < max_p``. On the generated ``m`` world the
smallest tail of a group of 5 or more is 8e-7 at honest streamers and 1e-68 at brushing ones
(``bench/burst_flags.py``).

References
----------
.. [1] A. Beutel, W. Xu, V. Guruswami, C. Palow and C. Faloutsos, "CopyCatch: stopping
   group attacks by spotting lockstep behavior in social networks", WWW 2013.
.. [2] J. Kleinberg, "Bursty and hierarchical structure in streams", KDD 2002 (a burst
   as a rate of events far above the stream's background rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._arrays import unique
from .data import Graph


@dataclass(frozen=True)
class _BuyerDayGroups:
    """Order lines with a known consumer, streamer and product, grouped for both burst tests."""

    lines: np.ndarray  # per streamer code: its order lines
    first_day: np.ndarray  # per streamer code: its first and last order day
    last_day: np.ndarray
    line_streamer: np.ndarray  # per line of a single-streamer buyer: its streamer
    line_group: np.ndarray  # ... and its (streamer, product, day) group
    group_streamer: np.ndarray  # per group: streamer, product
    group_product: np.ndarray
    buyers: np.ndarray  # per group: distinct single-streamer buyers


def _buyer_day_groups(graph: Graph) -> _BuyerDayGroups:
    c, s, p, d = graph.o_consumer, graph.o_streamer, graph.o_product, graph.o_day
    ok = (c >= 0) & (s >= 0) & (p >= 0)
    c, s, p, d = c[ok], s[ok], p[ok], d[ok]
    n_s = graph.n_streamers
    lines = np.bincount(s, minlength=n_s)
    first = np.full(n_s, np.iinfo(np.int64).max)
    last = np.full(n_s, np.iinfo(np.int64).min)
    np.minimum.at(first, s, d)
    np.maximum.at(last, s, d)
    # single-streamer buyers: every order line of theirs is at the same streamer
    per_consumer = np.bincount(unique(c.astype(np.int64) * n_s + s) // n_s, minlength=graph.n_consumers)
    single = per_consumer[c] == 1
    c, s, p, d = c[single], s[single], p[single], d[single]
    rows, key = np.unique(np.stack([s, p, d], axis=1).reshape(-1, 3), axis=0, return_inverse=True)
    key = key.reshape(-1)
    buyer_pairs = unique(key.astype(np.int64) * graph.n_consumers + c)
    buyers = np.bincount(buyer_pairs // graph.n_consumers, minlength=len(rows))
    return _BuyerDayGroups(lines, first, last, s, key, rows[:, 0], rows[:, 1], buyers)


def burst_share(graph: Graph, min_buyers: int = 3) -> np.ndarray:
    """Per streamer code: the share of its order lines that are single-streamer buyers'
    same-product, same-day group purchases (groups of ``min_buyers`` or more buyers).

    Parameters
    ----------
    graph : Graph
        The encoded projection (order arrays ``o_consumer``, ``o_streamer``, ``o_product``,
        ``o_day``).
    min_buyers : int, default 3
        Distinct single-streamer buyers of one product at one streamer on one day that
        make a burst.

    Returns
    -------
    share : ndarray of shape (n_streamers,), in [0, 1]; 0 for a streamer without orders.

    References
    ----------
    Beutel et al., CopyCatch, WWW 2013 (see the module docstring).

    Examples
    --------
    >>> share = burst_share(graph)                       # doctest: +SKIP
    >>> graph.streamers[share >= 0.1]                     # doctest: +SKIP
    """
    g = _buyer_day_groups(graph)
    in_burst = g.buyers[g.line_group] >= min_buyers
    burst_lines = np.bincount(g.line_streamer[in_burst], minlength=graph.n_streamers).astype(np.float64)
    return np.divide(burst_lines, g.lines, out=np.zeros(graph.n_streamers), where=g.lines > 0)


def surprising_burst_lines(graph: Graph, min_buyers: int = 5, max_p: float = 1e-8) -> np.ndarray:
    """Per streamer code: order lines in same-product, same-day groups of single-streamer
    buyers that its own background rate makes implausible (see the module docstring).

    Parameters
    ----------
    graph : Graph
        The encoded projection (order arrays ``o_consumer``, ``o_streamer``, ``o_product``,
        ``o_day``).
    min_buyers : int, default 5
        Smallest group (distinct single-streamer buyers of one product at one streamer on
        one day) tested.
    max_p : float, default 1e-8
        A group is surprising when the Poisson tail ``P(K >= k)`` at the pair's
        leave-one-out daily rate is below this.

    Returns
    -------
    lines : ndarray of int64, shape (n_streamers,)
        Distinct buyer-days in surprising groups (0 for most streamers).

    References
    ----------
    Beutel et al., CopyCatch, WWW 2013; Kleinberg, KDD 2002 (see the module docstring).

    Examples
    --------
    >>> lines = surprising_burst_lines(graph)            # doctest: +SKIP
    >>> graph.streamers[lines >= 8]                       # doctest: +SKIP
    """
    g = _buyer_day_groups(graph)
    k = g.buyers
    # buyer-days of the (streamer, product) pair over all its days
    pair = np.unique(np.stack([g.group_streamer, g.group_product], axis=1), axis=0, return_inverse=True)[1].reshape(-1)
    pair_total = np.bincount(pair, weights=k)[pair] if len(k) else np.zeros(0)
    days = (g.last_day - g.first_day + 1)[g.group_streamer]  # days the streamer sold on
    rate = (pair_total - k + 0.5) / np.maximum(days - 1, 1)
    tested = k >= min_buyers
    surprising = np.zeros(len(k), bool)
    surprising[tested] = stats.poisson.sf(k[tested] - 1, rate[tested]) < max_p
    return np.bincount(g.group_streamer[surprising], weights=k[surprising],
                       minlength=graph.n_streamers).astype(np.int64)
