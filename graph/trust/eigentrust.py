"""Trust propagation from a pre-trusted set: EigenTrust / TrustRank power iteration.

Given non-negative local trust weights ``A[i, j]`` (how much ``i`` vouches for ``j``),
EigenTrust [1]_ normalises each row into ``C`` and finds the global trust vector

    t = alpha * C^T t + (1 - alpha) * p

where ``p`` is the distribution over pre-trusted peers (teleport set). TrustRank [2]_
is the same iteration with ``p`` on a seed set of known-good pages; spam mass [3]_
compares the trust that reaches a node from the good seeds with the trust that reaches
it from everything else. Nodes with no outgoing trust hand their mass back to ``p``
(EigenTrust's rule for peers that trust nobody), so every column keeps its total.

Everything is a sparse matrix-vector product (``scipy.sparse`` CSR); several teleport
vectors are propagated at once as the columns of one dense matrix.

References
----------
.. [1] S. D. Kamvar, M. T. Schlosser and H. Garcia-Molina, "The EigenTrust algorithm for
   reputation management in P2P networks", WWW 2003.
.. [2] Z. Gyöngyi, H. Garcia-Molina and J. Pedersen, "Combating web spam with TrustRank",
   VLDB 2004.
.. [3] Z. Gyöngyi, P. Berkhin, H. Garcia-Molina and J. Pedersen, "Link spam detection
   based on mass estimation", VLDB 2006.
.. [4] L. Page, S. Brin, R. Motwani and T. Winograd, "The PageRank citation ranking:
   bringing order to the web", Stanford InfoLab, 1999.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Propagation:
    """Result of :func:`propagate`: ``scores`` (n x k), iterations and final L1 change."""

    scores: np.ndarray
    iterations: int
    delta: float


def transition(adjacency: sp.spmatrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Row-normalise ``adjacency``; return ``C^T`` (CSR, ready to multiply) and the dangling mask."""
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    if a.shape[0] != a.shape[1]:
        raise ValueError("adjacency must be square")
    if a.nnz and a.data.min() < 0:
        raise ValueError("local trust weights must be non-negative")
    out = np.asarray(a.sum(axis=1)).ravel()
    dangling = out <= 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out))
    ct = (sp.diags(inv) @ a).T.tocsr()
    ct.sort_indices()
    return ct, dangling


def propagate(adjacency: sp.spmatrix, teleport: np.ndarray, alpha: float = 0.85, tol: float = 1e-10,
              max_iter: int = 200, transition_t: tuple[sp.csr_matrix, np.ndarray] | None = None) -> Propagation:
    """Personalised PageRank / EigenTrust by power iteration.

    Parameters
    ----------
    adjacency : scipy.sparse matrix, shape (n, n)
        Non-negative local trust ``A[i, j]`` from ``i`` to ``j``.
    teleport : array, shape (n,) or (n, k)
        Pre-trusted mass per node; each column is propagated separately and keeps its
        total (columns need not sum to 1, which keeps several columns comparable).
    alpha : float
        Probability of following trust (EigenTrust's ``1 - a``); ``1 - alpha`` restarts
        at the teleport set.
    tol : float
        Stop when the L1 change of every column, relative to its total, is below this.
    max_iter : int
        Iteration cap.
    transition_t : (csr_matrix, array), optional
        A precomputed :func:`transition` of ``adjacency`` (to reuse across calls).

    Returns
    -------
    Propagation
        ``scores`` with the shape of ``teleport``.

    Examples
    --------
    >>> A = sp.csr_matrix(np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float))
    >>> r = propagate(A, np.array([1.0, 0.0, 0.0]), alpha=0.5)
    >>> r.scores.round(4).tolist()
    [0.5714, 0.2857, 0.1429]
    """
    ct, dangling = transition_t if transition_t is not None else transition(adjacency)
    v = np.asarray(teleport, dtype=np.float64)
    one = v.ndim == 1
    if one:
        v = v[:, None]
    if v.shape[0] != ct.shape[0]:
        raise ValueError("teleport has the wrong length")
    if v.shape[0] == 0:
        return Propagation(scores=v[:, 0] if one else v, iterations=0, delta=0.0)
    total = v.sum(axis=0)
    safe = np.where(total > 0, total, 1.0)
    direction = v / safe  # where restarting mass goes, per column
    if one:  # 1-D vectors take scipy's faster single-vector product
        direction, total, safe = direction[:, 0], total[0], safe[0]
        x = v[:, 0].copy()
    else:
        x = v.copy()
    dangling_idx = np.flatnonzero(dangling)
    delta = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        lost = x[dangling_idx].sum(axis=0)
        nxt = ct @ x
        nxt *= alpha
        nxt += direction * ((1.0 - alpha) * total + alpha * lost)
        delta = float(np.max(np.abs(nxt - x).sum(axis=0) / safe))
        x = nxt
        if delta < tol:
            break
    return Propagation(scores=x, iterations=it, delta=delta)


def eigentrust(local_trust: sp.spmatrix, pretrusted: np.ndarray, a: float = 0.15, tol: float = 1e-10,
               max_iter: int = 200) -> np.ndarray:
    """EigenTrust global trust ``t = (1 - a) C^T t + a p`` in Kamvar et al.'s parametrisation.

    Examples
    --------
    >>> C = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    >>> eigentrust(C, np.array([1.0, 0.0]), a=0.5).round(4).tolist()
    [0.6667, 0.3333]
    """
    p = np.asarray(pretrusted, dtype=np.float64)
    p = p / p.sum()
    return propagate(local_trust, p, alpha=1.0 - a, tol=tol, max_iter=max_iter).scores


def spam_mass(adjacency: sp.spmatrix, good: np.ndarray, alpha: float = 0.85, tol: float = 1e-10,
              max_iter: int = 200, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Propagation]:
    """Relative spam mass: the share of each node's PageRank that starts outside the good core.

    Every node teleports with total weight ``weight[i]`` (default 1), split into a good
    part ``weight * good[i]`` (``good`` in [0, 1], e.g. a credibility) and a suspect
    part ``weight * (1 - good[i])``; both columns are propagated together. ``mass = suspect / (good + suspect)`` in [0, 1] (Gyöngyi et
    al. 2006, relative mass estimate); nodes that nothing reaches get 0.

    Returns
    -------
    (mass, pagerank, Propagation)
        ``pagerank`` is the total (uniform-teleport) PageRank, up to a factor ``n``.

    Examples
    --------
    >>> # 0 and 1 are good and vouch for 2; 3 is suspect and vouches for 4
    >>> A = sp.csr_matrix((np.ones(2), ([0, 3], [2, 4])), shape=(5, 5))
    >>> m, pr, _ = spam_mass(A, np.array([1.0, 1.0, 1.0, 0.0, 1.0]))
    >>> m.round(3).tolist()
    [0.0, 0.0, 0.0, 1.0, 0.358]
    """
    g = np.clip(np.asarray(good, dtype=np.float64), 0.0, 1.0)
    w = np.ones_like(g) if weight is None else np.asarray(weight, dtype=np.float64)
    res = propagate(adjacency, np.column_stack([w * g, w * (1.0 - g)]), alpha=alpha, tol=tol, max_iter=max_iter)
    pr = res.scores.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mass = np.where(pr > 0, res.scores[:, 1] / pr, 0.0)
    return mass, pr, res
