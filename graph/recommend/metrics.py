"""Ranking metrics of recommended lists against what really happened (vectorised).

Conventions (binary relevance; ``rec`` is users x K item codes, best first, ``-1`` pads a
short list; ``relevant`` is a users x items sparse matrix, row ``u`` for ``rec[u]``).
Means are over users with at least one relevant item:

- ``precision@k`` = hits in the top k / k (a short list still divides by k);
- ``recall@k`` = hits in the top k / number of relevant items;
- ``NDCG@k`` = DCG / ideal DCG, ``DCG = sum_i rel_i / log2(i + 1)`` (i = 1..k) and the
  ideal list puts ``min(k, |relevant|)`` hits first;
- ``MAP@k`` = mean of ``AP@k = sum_i precision@i * rel_i / min(k, |relevant|)``;
- ``coverage`` = distinct recommended items / catalogue size (all users' lists);
- ``flagged_share`` (fraud exposure) = share of recommended slots whose item is flagged
  (e.g. the truth marks it fraudulent);
- ``returned_share`` = share of hits (recommended and bought) that were later returned.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .common import pair_values


def hits(rec: np.ndarray, relevant: sp.spmatrix) -> np.ndarray:
    """Boolean users x K: is ``rec[u, i]`` relevant to user ``u``."""
    rec = np.asarray(rec, dtype=np.int64)
    n, k = rec.shape
    rows = np.repeat(np.arange(n), k)
    cols = rec.ravel()
    ok = cols >= 0
    out = np.zeros(n * k, dtype=bool)
    out[ok] = pair_values(sp.csr_matrix(relevant), rows[ok], cols[ok]) > 0
    return out.reshape(n, k)


def _n_relevant(relevant: sp.spmatrix) -> np.ndarray:
    r = sp.csr_matrix(relevant).copy()
    r.eliminate_zeros()
    return np.diff(r.indptr)


def per_user(rec: np.ndarray, relevant: sp.spmatrix, k: int) -> dict[str, np.ndarray]:
    """Per-user precision, recall, NDCG and AP at ``k`` (NaN for users with nothing relevant)."""
    rec = np.asarray(rec)[:, :k]
    if rec.shape[1] < k:
        rec = np.pad(rec, ((0, 0), (0, k - rec.shape[1])), constant_values=-1)
    h = hits(rec, relevant).astype(np.float64)
    n_rel = _n_relevant(relevant).astype(np.float64)
    has = n_rel > 0
    n_hits = h.sum(axis=1)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = h @ discounts
    ideal_cum = np.concatenate([[0.0], np.cumsum(discounts)])
    idcg = ideal_cum[np.minimum(n_rel, k).astype(np.int64)]
    prec_at_i = np.cumsum(h, axis=1) / np.arange(1, k + 1)
    ap = (prec_at_i * h).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {
            "precision": n_hits / k,
            "recall": n_hits / n_rel,
            "ndcg": dcg / idcg,
            "ap": ap / np.minimum(n_rel, k),
        }
    for v in out.values():
        v[~has] = np.nan
    return out


def ranking_metrics(rec: np.ndarray, relevant: sp.spmatrix, k: int) -> dict[str, float]:
    """Mean precision@k, recall@k, NDCG@k and MAP@k over users with something relevant."""
    pu = per_user(rec, relevant, k)
    has = ~np.isnan(pu["precision"])
    if not has.any():
        return {"precision": float("nan"), "recall": float("nan"), "ndcg": float("nan"), "map": float("nan"), "users": 0}
    return {
        "precision": float(pu["precision"][has].mean()),
        "recall": float(pu["recall"][has].mean()),
        "ndcg": float(pu["ndcg"][has].mean()),
        "map": float(pu["ap"][has].mean()),
        "users": int(has.sum()),
    }


def precision_at_k(rec, relevant, k: int) -> float:
    return ranking_metrics(rec, relevant, k)["precision"]


def recall_at_k(rec, relevant, k: int) -> float:
    return ranking_metrics(rec, relevant, k)["recall"]


def ndcg_at_k(rec, relevant, k: int) -> float:
    return ranking_metrics(rec, relevant, k)["ndcg"]


def map_at_k(rec, relevant, k: int) -> float:
    return ranking_metrics(rec, relevant, k)["map"]


def coverage(rec: np.ndarray, n_items: int) -> float:
    """Distinct recommended items / catalogue size."""
    rec = np.asarray(rec)
    return float(len(np.unique(rec[rec >= 0])) / n_items) if n_items else float("nan")


def flagged_share(rec: np.ndarray, flagged: np.ndarray) -> float:
    """Share of recommended slots (over all lists) whose item is flagged."""
    rec = np.asarray(rec)
    items = rec[rec >= 0]
    return float(np.asarray(flagged, dtype=bool)[items].mean()) if len(items) else float("nan")


def returned_share(rec: np.ndarray, bought: sp.spmatrix, returned: sp.spmatrix) -> float:
    """Share of hits (recommended items the user bought) that the user returned.

    ``bought`` and ``returned`` are users x items (row ``u`` for ``rec[u]``); ``returned``
    holds the returned share of what was bought (0..1) or a 0/1 flag.
    """
    rec = np.asarray(rec, dtype=np.int64)
    n, k = rec.shape
    rows = np.repeat(np.arange(n), k)
    cols = rec.ravel()
    ok = cols >= 0
    b = pair_values(sp.csr_matrix(bought), rows[ok], cols[ok]) > 0
    if not b.any():
        return float("nan")
    r = pair_values(sp.csr_matrix(returned), rows[ok], cols[ok])
    return float(r[b].mean())
