"""Streamer integrity: how much of a streamer's audience is real, by spam-mass propagation.

The engagement graph is bipartite: consumer ``c`` -- streamer ``s`` with weight
``follow_weight`` for a follow plus one per order (both directions, so trust can flow
from a consumer to a streamer and on to that streamer's other consumers). Every
consumer with any engagement teleports a unit of PageRank, split by its credibility
(:mod:`.credibility`) into a *good* part ``cred`` and a *suspect* part ``1 - cred``;
both parts are propagated at once (:func:`.eigentrust.spam_mass`). A streamer's
**spam mass** is the share of its PageRank that started at suspect accounts: high
for a streamer whose followers are bought or whose sales come from a ring, low for a
streamer whose engagement comes from real shoppers -- including the real shoppers of
a lucky draw, whose follows never turn into purchases but whose accounts have a life
of their own.

Every audience has some suspect share (new accounts, accounts that never buy), so
integrity only falls once the spam mass exceeds the platform's norm::

    ref = median(mass) + max(k * MAD(mass), margin)   (robust, over streamers with engagement)
    integrity = exp(-max(mass - ref, 0) / scale)

References
----------
.. [1] Z. Gyöngyi, P. Berkhin, H. Garcia-Molina and J. Pedersen, "Link spam detection
   based on mass estimation", VLDB 2006.
.. [2] Z. Gyöngyi, H. Garcia-Molina and J. Pedersen, "Combating web spam with TrustRank",
   VLDB 2004.
.. [3] S. D. Kamvar, M. T. Schlosser and H. Garcia-Molina, "The EigenTrust algorithm for
   reputation management in P2P networks", WWW 2003.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._arrays import unique
from .eigentrust import Propagation, spam_mass
from .evidence import Evidence



@dataclass
class Integrity:
    """Per streamer (code order) and the propagation's bookkeeping."""

    spam_mass: np.ndarray
    integrity: np.ndarray
    pagerank: np.ndarray  # total PageRank of each streamer (uniform teleport over engaged consumers)
    reference: float
    propagation: Propagation
    graph: sp.csr_matrix  # the (consumers + streamers) engagement graph


def engagement_graph(ev: Evidence, follow_weight: float = 1.0) -> sp.csr_matrix:
    """Symmetric (C + S) x (C + S) engagement matrix; streamer ``s`` is node ``C + s``."""
    C, S = ev.n_consumers, ev.n_streamers
    fkey = unique(ev.f_consumer * S + ev.f_streamer)
    keys = np.concatenate([fkey, ev.o_consumer * S + ev.o_streamer])
    weights = np.concatenate([np.full(len(fkey), float(follow_weight)), np.ones(ev.n_orders)])
    uk, inv = np.unique(keys, return_inverse=True)
    w = np.bincount(inv, weights=weights, minlength=len(uk))
    c, s = uk // max(S, 1), C + uk % max(S, 1)
    n = C + S
    g = sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([c, s]), np.concatenate([s, c]))), shape=(n, n))
    g.sum_duplicates()
    return g


def streamer_integrity(ev: Evidence, credibility: np.ndarray, *, follow_weight: float = 1.0, alpha: float = 0.5,
                       mad_k: float = 4.0, margin: float = 0.05, scale: float = 0.3, tol: float = 1e-9,
                       max_iter: int = 300) -> Integrity:
    """Spam mass and integrity of every streamer (see the module docstring).

    Parameters
    ----------
    ev : Evidence
    credibility : array, one per consumer, in [0, 1]
    follow_weight : float
        Engagement weight of a follow, in orders.
    alpha : float
        Probability of following an edge rather than restarting; 0.5 keeps the walk
        local (a streamer's mass comes mostly from its own audience and their other
        streamers), where 0.85 (PageRank's default) would smear it over the platform.
    mad_k, margin, scale : float
        Integrity threshold (robust z, with a floor ``margin`` for platforms where
        nearly every streamer has the same mass) and decay width, in units of spam mass.
    """
    C, S = ev.n_consumers, ev.n_streamers
    g = engagement_graph(ev, follow_weight)
    engaged = np.asarray(g.sum(axis=1)).ravel() > 0
    good = np.zeros(C + S)
    good[:C] = np.clip(np.asarray(credibility, dtype=np.float64), 0.0, 1.0)
    weight = np.zeros(C + S)
    weight[:C] = engaged[:C]  # consumers with engagement teleport; streamers only pass mass on
    node_mass, node_pr, res = spam_mass(g, good, alpha=alpha, tol=tol, max_iter=max_iter, weight=weight)
    mass, pr = node_mass[C:], node_pr[C:]
    seen = engaged[C:]
    if seen.any():
        med = float(np.median(mass[seen]))
        mad = float(1.4826 * np.median(np.abs(mass[seen] - med)))
        ref = med + max(mad_k * mad, margin)
    else:
        ref = 1.0
    integ = np.exp(-np.maximum(mass - ref, 0.0) / scale)
    return Integrity(spam_mass=mass, integrity=integ, pagerank=pr, reference=ref, propagation=res, graph=g)


__all__ = ["Integrity", "engagement_graph", "streamer_integrity"]
