"""Ranking metrics of recommended lists against what really happened (vectorised).

Conventions (binary relevance; ``rec`` is users x K item codes, best first, ``-1`` pads a
short list; ``relevant`` is a users x items sparse matrix, row ``u`` for ``rec[u]``).
Means are over users with at least one relevant item:

- ``precision@k`` = hits in the top k / k (a short list still divides by k);
- ``recall@k`` = hits in the top k / number of relevant items;
- ``NDCG@k`` = DCG / ideal DCG, ``DCG = sum_i rel_i / log2(i + 1)`` (i = 1..k) and the
  ideal list puts ``min(k, |relevant|)`` hits first;
- ``MAP@k`` = mean of ``AP@k = sum_i precision@i * rel_i / min(k, |relevant|)``;
- ``coverage`` = distinct recommended items / catalogue size (the lists of all users evaluated);
- ``flagged_share`` (fraud exposure) = share of recommended slots whose item is flagged
  (e.g. the truth marks it fraudulent);
- ``returned_share`` = share of hits (recommended and bought) that were later returned;
- ``paired_difference`` = one method's per-user metric minus another's on the same users, with a
  paired t confidence interval and p-value (Smucker, Allan and Carterette, "A comparison of
  statistical significance tests for information retrieval evaluation", CIKM 2007: the t-test,
  the bootstrap and the randomization test agree on samples of this size), cluster-robust when
  the users fall into dependent groups.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import stats

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


def ranking_metrics(rec: np.ndarray, relevant: sp.spmatrix, k: int,
                    pu: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """Mean precision@k, recall@k, NDCG@k and MAP@k over users with something relevant
    (``pu``: :func:`per_user`'s result when the caller has it already)."""
    pu = per_user(rec, relevant, k) if pu is None else pu
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


def paired_difference(a: np.ndarray, b: np.ndarray, clusters: np.ndarray | None = None,
                      confidence: float = 0.95) -> dict[str, float]:
    """Mean of ``a - b`` over users where both are defined (per-user metrics of two methods on the
    same users, in the same order), its ``confidence`` interval and two-sided p-value (t test).

    Parameters
    ----------
    a, b : per-user values of the two methods (NaN: not evaluated).
    clusters : per-user group labels when users are not independent (factories of one category share
        the baseline's list and the relevant set): the standard error is then cluster-robust (CR1,
        Cameron and Miller, "A Practitioner's Guide to Cluster-Robust Inference", J. Human Resources
        2015) with ``groups - 1`` degrees of freedom. Without it every user is its own group, which
        is the paired t-test.

    Examples
    --------
    >>> r = paired_difference(np.array([1.0, 0.5, 0.0, 1.0]), np.array([0.5, 0.5, 0.0, 0.5]))
    >>> round(r["diff"], 3), r["users"], round(r["p_value"], 4)
    (0.25, 4, 0.1817)
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired values of different lengths: {a.shape} and {b.shape}")
    ok = ~(np.isnan(a) | np.isnan(b))
    d = (a - b)[ok]
    groups = (np.unique(np.asarray(clusters)[ok], return_inverse=True)[1] if clusters is not None
              else np.arange(len(d)))
    n_groups = int(groups.max()) + 1 if len(d) else 0
    diff = float(d.mean()) if len(d) else float("nan")
    diff = 0.0 if abs(diff) <= 1e-12 else diff  # a tie up to rounding
    out = {"diff": diff, "ci_low": float("nan"), "ci_high": float("nan"), "p_value": float("nan"),
           "users": int(len(d)), "groups": n_groups}
    if n_groups < 2:  # no spread to estimate
        return out
    residual_sums = np.bincount(groups, weights=d - d.mean(), minlength=n_groups)
    se = float(np.sqrt(n_groups / (n_groups - 1) * np.sum(residual_sums ** 2)) / len(d))
    if se <= 1e-12:  # every group differs by the same amount: the difference is exact
        return {**out, "ci_low": diff, "ci_high": diff, "p_value": 1.0 if diff == 0 else 0.0}
    dist = stats.t(df=n_groups - 1)
    half = float(dist.ppf(0.5 + confidence / 2)) * se
    return {**out, "ci_low": diff - half, "ci_high": diff + half, "p_value": float(2 * dist.sf(abs(diff) / se))}
