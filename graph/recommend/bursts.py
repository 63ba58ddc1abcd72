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
the same day that are a burst for the pair (below). The demotion rule (``scores.py``) flags a streamer whose burst share is at
least ``Demotion.flag_burst``.

A share dilutes a ring in a large streamer's volume (on the ``m`` world two rings of 41
and 141 orders were 4-9 % of their streamers' lines). :func:`surprising_burst_lines`
asks the question per group instead: is this many single-streamer buyers of one product
on one day plausible given how often such buyers buy that product from that streamer on
other days? Against a background [2]_ of the pair's leave-one-out daily rate
``λ = (n_sp - k + 1/2) / (D - 1)`` (``n_sp`` such buyer-days of the pair, ``D`` days the
streamer sold on, half a count of prior so an unseen pair has a small positive rate), times
the day's factor ``(m_sd + 1) / (m̄_s + 1)`` (``m_sd`` the streamer's lines that day from
buyers of several streamers, who are never ring accounts, ``m̄_s`` their daily mean), a
group of ``k`` is surprising when the tail ``P(K >= k)`` (below) is under ``max_p``. The
factor keeps a promotion day, which lifts a large streamer's whole trade, from looking like
a ring: without it 9 of the 20 most followed honest streamers of the ``l`` world were
flagged, with it none, and as many rings are caught (``bench/burst_day_factor.py``). The
share test counts only groups that are a burst in the same sense at a milder tail
(``burst_share``'s ``max_p``, 0.01), since a large streamer's best seller draws groups of
three every day.

The tail is a negative binomial's, not a Poisson's: the day's buyers of a pair are Poisson
given the pair's rate that day, and that rate varies from day to day around ``λ`` times the
factor with a coefficient of variation of ``1 / sqrt(dispersion)`` (a gamma-Poisson mixture
[3]_, variance ``μ + μ² / dispersion``). One factor per streamer and day cannot follow every
product: on a big promotion day a cheap product's price-sensitive buyers surge more than the
streamer's average. On the whole ``l`` world an honest streamer's best seller drew 737
single-streamer buyers on its 618 promotion day against 562.6 expected, 1.31 times; a
Poisson tail calls that 1.3e-12 and flagged the streamer, the default ``dispersion`` (50, a
14 % spread of the daily rate) 0.025. A ring's group is far above its small expectation,
where both tails stay far below the thresholds (5 buyers at 0.03: 2.0e-10 Poisson, 2.4e-10
negative binomial; 20 at 2: 6e-14 and 9e-13), and the rule flags as many rings on the
generated worlds (``bench/burst_dispersion.py``).

References
----------
.. [1] A. Beutel, W. Xu, V. Guruswami, C. Palow and C. Faloutsos, "CopyCatch: stopping
   group attacks by spotting lockstep behavior in social networks", WWW 2013.
.. [2] J. Kleinberg, "Bursty and hierarchical structure in streams", KDD 2002 (a burst
   as a rate of events far above the stream's background rate).
.. [3] A. C. Cameron and P. K. Trivedi, "Regression Analysis of Count Data", Cambridge
   University Press, 1998, ch. 4 (the negative binomial as a Poisson with a gamma rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import stats

from .._arrays import unique
from .common import pair_values
from .data import Graph


@dataclass(frozen=True)
class BuyerDayGroups:
    """Order lines with a known consumer, streamer and product, grouped for both burst tests
    (:func:`buyer_day_groups`; make them once and pass them to both)."""

    lines: np.ndarray  # per streamer code: its order lines
    line_streamer: np.ndarray  # per line of a single-streamer buyer: its streamer
    line_group: np.ndarray  # ... and its (streamer, product, day) group
    group_streamer: np.ndarray  # per group: streamer
    buyers: np.ndarray  # per group: distinct single-streamer buyers
    expected: np.ndarray  # per group: the buyers its pair has on such a day (see _expected_buyers)


def buyer_day_groups(graph: Graph) -> BuyerDayGroups:
    """The (streamer, product, day) groups of single-streamer buyers, with their expected size."""
    c, s, p, d = graph.o_consumer, graph.o_streamer, graph.o_product, graph.o_day
    ok = (c >= 0) & (s >= 0) & (p >= 0)
    c, s, p, d = c[ok], s[ok], p[ok], d[ok]
    n_s = graph.n_streamers
    lines = np.bincount(s, minlength=n_s)
    first = np.full(n_s, np.iinfo(np.int64).max)
    last = np.full(n_s, np.iinfo(np.int64).min)
    np.minimum.at(first, s, d)
    np.maximum.at(last, s, d)
    days = np.maximum(last - first + 1, 1)  # days each streamer sold on (1 without orders)
    # single-streamer buyers: every order line of theirs is at the same streamer
    per_consumer = np.bincount(unique(c.astype(np.int64) * n_s + s) // n_s, minlength=graph.n_consumers)
    single = per_consumer[c] == 1
    s_several, d_several = s[~single], d[~single]  # buyers of several streamers: how busy each day was
    c, s, p, d = c[single], s[single], p[single], d[single]
    rows, key = np.unique(np.stack([s, p, d], axis=1).reshape(-1, 3), axis=0, return_inverse=True)
    key = key.reshape(-1)
    buyer_pairs = unique(key.astype(np.int64) * graph.n_consumers + c)
    buyers = np.bincount(buyer_pairs // graph.n_consumers, minlength=len(rows))
    factor = _day_factor(s_several, d_several, days, rows[:, 0], rows[:, 2])
    return BuyerDayGroups(lines, s, key, rows[:, 0], buyers, _expected_buyers(rows, buyers, days, factor))


def _day_factor(s_lines: np.ndarray, d_lines: np.ndarray, days: np.ndarray, s: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per (streamer ``s``, day ``d``): how busy the streamer was that day, from the lines of
    buyers of several streamers (no ring account is one): the day's lines over the streamer's
    daily mean, each plus one, so a streamer with few such lines keeps a factor near 1."""
    span = int(max(d_lines.max(initial=0), d.max(initial=0))) + 1
    day_keys, day_lines = np.unique(s_lines.astype(np.int64) * span + d_lines, return_counts=True)
    that_day = pair_values(sp.csr_matrix((day_lines, (day_keys // span, day_keys % span)), shape=(len(days), span)), s, d)
    mean = np.bincount(s_lines, minlength=len(days)) / days
    return (that_day + 1.0) / (mean[s] + 1.0)


def _expected_buyers(rows: np.ndarray, k: np.ndarray, days: np.ndarray, day_factor: np.ndarray) -> np.ndarray:
    """Per (streamer, product, day) group (``rows``, sorted) of ``k`` single-streamer buyers:
    the pair's leave-one-out daily rate ``(n_sp - k + 1/2) / (D - 1)``, times the day's factor
    (a promotion day that lifts the streamer's whole trade lifts the expectation with it)."""
    new_pair = np.ones(len(rows), bool)
    new_pair[1:] = (rows[1:, :2] != rows[:-1, :2]).any(axis=1)  # rows come sorted by (s, p, d)
    pair = np.cumsum(new_pair) - 1
    pair_total = np.bincount(pair, weights=k)[pair] if len(k) else np.zeros(0)
    return (pair_total - k + 0.5) / np.maximum(days[rows[:, 0]] - 1, 1) * day_factor


#: Default ``dispersion`` of both tests: the daily rate's spread is ``1 / sqrt(50)``, 14 %.
DISPERSION = 50.0


def upper_tail(buyers: np.ndarray, expected: np.ndarray, dispersion: float | None = DISPERSION) -> np.ndarray:
    """``P(K >= buyers)`` for ``K`` negative binomial with mean ``expected`` and variance
    ``expected + expected**2 / dispersion`` (Poisson when ``dispersion`` is None).

    Examples
    --------
    >>> upper_tail(np.array([737]), np.array([562.58])).round(3).tolist()   # a promotion day
    [0.025]
    >>> ring = np.array([5, 20]), np.array([0.03, 2.0])                     # rings at small means
    >>> [f"{x:.1e}" for x in upper_tail(*ring, None)], [f"{x:.1e}" for x in upper_tail(*ring)]
    (['2.0e-10', '6.4e-14'], ['2.4e-10', '9.4e-13'])
    """
    buyers = np.asarray(buyers, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if dispersion is None:
        return stats.poisson.sf(buyers - 1, expected)
    return stats.nbinom.sf(buyers - 1, dispersion, dispersion / (dispersion + expected))


def burst_share(graph: Graph, min_buyers: int = 3, max_p: float = 0.01, *, dispersion: float | None = DISPERSION,
                groups: BuyerDayGroups | None = None) -> np.ndarray:
    """Per streamer code: the share of its order lines that are single-streamer buyers'
    same-product, same-day group purchases, in groups of ``min_buyers`` or more buyers that
    are a burst for the pair (tail below ``max_p`` at its expected day: :func:`upper_tail`).

    Parameters
    ----------
    graph : Graph
        The encoded projection (order arrays ``o_consumer``, ``o_streamer``, ``o_product``,
        ``o_day``).
    min_buyers : int, default 3
        Distinct single-streamer buyers of one product at one streamer on one day that
        make a group.
    max_p : float, default 0.01
        A group counts when ``P(K >= k)`` at the pair's expected buyers that day (the
        leave-one-out daily rate times the day's factor, see the module docstring) is below
        this: a large streamer's best seller draws groups of three every day.
    dispersion : float or None, default 50
        Of the negative binomial whose tail is taken (:func:`upper_tail`); None: Poisson.
    groups : BuyerDayGroups, optional
        :func:`buyer_day_groups` of ``graph``, when already made.

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
    g = buyer_day_groups(graph) if groups is None else groups
    burst = (g.buyers >= min_buyers) & (upper_tail(g.buyers, g.expected, dispersion) < max_p)
    in_burst = burst[g.line_group]
    burst_lines = np.bincount(g.line_streamer[in_burst], minlength=graph.n_streamers).astype(np.float64)
    return np.divide(burst_lines, g.lines, out=np.zeros(graph.n_streamers), where=g.lines > 0)


def surprising_burst_lines(graph: Graph, min_buyers: int = 5, max_p: float = 1e-8, *,
                           dispersion: float | None = DISPERSION, groups: BuyerDayGroups | None = None) -> np.ndarray:
    """Per streamer code: order lines in same-product, same-day groups of single-streamer
    buyers that its own background makes implausible (see the module docstring).

    Parameters
    ----------
    graph : Graph
        The encoded projection (order arrays ``o_consumer``, ``o_streamer``, ``o_product``,
        ``o_day``).
    min_buyers : int, default 5
        Smallest group (distinct single-streamer buyers of one product at one streamer on
        one day) tested.
    max_p : float, default 1e-8
        A group is surprising when the tail ``P(K >= k)`` at the pair's expected buyers that
        day (leave-one-out daily rate times the day's factor) is below this.
    dispersion : float or None, default 50
        Of the negative binomial whose tail is taken (:func:`upper_tail`); None: Poisson.
    groups : BuyerDayGroups, optional
        :func:`buyer_day_groups` of ``graph``, when already made.

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
    g = buyer_day_groups(graph) if groups is None else groups
    k = g.buyers
    tested = k >= min_buyers
    surprising = np.zeros(len(k), bool)
    surprising[tested] = upper_tail(k[tested], g.expected[tested], dispersion) < max_p
    return np.bincount(g.group_streamer[surprising], weights=k[surprising],
                       minlength=graph.n_streamers).astype(np.int64)
