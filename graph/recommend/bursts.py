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
group of ``k`` is surprising when ``P(K >= k) < max_p``. Genuine demand spikes of one
product reach ``P ≈ 1e-6`` on the generated ``m`` world; ring campaigns reach ``1e-14`` to
``1e-72``.

References
----------
.. [1] A. Beutel, W. Xu, V. Guruswami, C. Palow and C. Faloutsos, "CopyCatch: stopping
   group attacks by spotting lockstep behavior in social networks", WWW 2013.
.. [2] J. Kleinberg, "Bursty and hierarchical structure in streams", KDD 2002 (a burst
   as a rate of events far above the stream's background rate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .data import Graph


def _single_streamer_lines(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order lines with a known consumer, streamer and product, and which of them single-streamer buyers placed."""
    c, s, p, d = graph.o_consumer, graph.o_streamer, graph.o_product, graph.o_day
    ok = (c >= 0) & (s >= 0) & (p >= 0)
    c, s, p, d = c[ok], s[ok], p[ok], d[ok]
    n_s = graph.n_streamers
    cs = np.unique(c.astype(np.int64) * n_s + s)
    per_consumer = np.bincount(cs // n_s, minlength=graph.n_consumers)
    return c, s, p, d, per_consumer[c] == 1


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
    c, s, p, d, single = _single_streamer_lines(graph)
    n_s = graph.n_streamers
    lines = np.bincount(s, minlength=n_s).astype(np.float64)
    if len(c) == 0:
        return np.zeros(n_s)
    # groups (streamer, product, day) and their distinct single-streamer buyers
    key = np.unique(np.stack([s[single], p[single], d[single]], axis=1), axis=0, return_inverse=True)[1].reshape(-1)
    pairs = np.unique(key.astype(np.int64) * graph.n_consumers + c[single])
    buyers = np.bincount(pairs // graph.n_consumers, minlength=int(key.max()) + 1 if len(key) else 0)
    in_burst = np.zeros(len(c), bool)
    in_burst[np.flatnonzero(single)] = buyers[key] >= min_buyers
    burst_lines = np.bincount(s[in_burst], minlength=n_s).astype(np.float64)
    return np.divide(burst_lines, lines, out=np.zeros(n_s), where=lines > 0)


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
    c, s, p, d, single = _single_streamer_lines(graph)
    n_s = graph.n_streamers
    if not single.any():
        return np.zeros(n_s, np.int64)
    buyer_days = pd.DataFrame({"c": c[single], "s": s[single], "p": p[single], "d": d[single]}).drop_duplicates()
    groups = buyer_days.groupby(["s", "p", "d"], sort=False).size().rename("k").reset_index()
    pair_total = groups.groupby(["s", "p"], sort=False)["k"].transform("sum").to_numpy()
    k = groups["k"].to_numpy()
    # days the streamer sold on (first to last order day, all its lines)
    first = np.full(n_s, np.iinfo(np.int64).max)
    last = np.full(n_s, np.iinfo(np.int64).min)
    np.minimum.at(first, s, d)
    np.maximum.at(last, s, d)
    days = (last - first + 1)[groups["s"].to_numpy()]
    rate = (pair_total - k + 0.5) / np.maximum(days - 1, 1)
    tested = k >= min_buyers
    surprising = np.zeros(len(k), bool)
    surprising[tested] = stats.poisson.sf(k[tested] - 1, rate[tested]) < max_p
    return np.bincount(groups["s"].to_numpy()[surprising], weights=k[surprising], minlength=n_s).astype(np.int64)
