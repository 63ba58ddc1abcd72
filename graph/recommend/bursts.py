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

References
----------
.. [1] A. Beutel, W. Xu, V. Guruswami, C. Palow and C. Faloutsos, "CopyCatch: stopping
   group attacks by spotting lockstep behavior in social networks", WWW 2013.
"""

from __future__ import annotations

import numpy as np

from .data import Graph


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
    c, s, p, d = graph.o_consumer, graph.o_streamer, graph.o_product, graph.o_day
    ok = (c >= 0) & (s >= 0) & (p >= 0)
    c, s, p, d = c[ok], s[ok], p[ok], d[ok]
    n_s = graph.n_streamers
    lines = np.bincount(s, minlength=n_s).astype(np.float64)
    if len(c) == 0:
        return np.zeros(n_s)
    # single-streamer buyers: every order line of theirs is at the same streamer
    cs = np.unique(c.astype(np.int64) * n_s + s)
    per_consumer = np.bincount(cs // n_s, minlength=graph.n_consumers)
    single = per_consumer[c] == 1
    # groups (streamer, product, day) and their distinct single-streamer buyers
    key = np.unique(np.stack([s[single], p[single], d[single]], axis=1), axis=0, return_inverse=True)[1].reshape(-1)
    pairs = np.unique(key.astype(np.int64) * graph.n_consumers + c[single])
    buyers = np.bincount(pairs // graph.n_consumers, minlength=int(key.max()) + 1 if len(key) else 0)
    in_burst = np.zeros(len(c), bool)
    in_burst[np.flatnonzero(single)] = buyers[key] >= min_buyers
    burst_lines = np.bincount(s[in_burst], minlength=n_s).astype(np.float64)
    return np.divide(burst_lines, lines, out=np.zeros(n_s), where=lines > 0)
