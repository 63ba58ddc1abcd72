"""Reach of each factory: the consumers its products reach through trusted streamers.

Path trust of a factory ``f`` and a consumer ``c`` (one-bond paths
``c → s → p → f``, product of edge trusts, see :mod:`livetrust.graph.paths.index`)::

    path_trust(f, c) = max over streamers s of  b(c, s) · K(f, s),
    K(f, s) = max over products p of f sold by s of κ(s, p)

``via_streamer`` is the argmax streamer (smallest id on ties). This is a max-times
product of the sparse matrices ``K`` (factory × streamer) and ``B`` (streamer × consumer),
computed by expanding every (f, s) nonzero of ``K`` with the bonds of ``s`` and reducing
per (f, c) in numpy (sort + ``reduceat``), factory block by factory block.

Kinds:

- ``direct``: ``c`` bought at least one of ``f``'s products (through any streamer). A
  buyer with no bond to a streamer that carries ``f`` gets ``path_trust`` 0 and no
  ``via_streamer``.
- ``prospective``: ``c`` has not bought ``f``'s products but has a bond (trust > 0 and
  >= ``min_bond``) to a streamer that sold them.

``rank`` is 1 for the largest ``path_trust`` within (factory, kind), ties by consumer id;
``top_k`` keeps the first ``top_k`` of each (factory, kind) (``None``: all).

Each row carries the components of its path (empty without a bond path), so that
``path_trust = bond_trust · consumer_credibility · carry_trust`` can be read off it, and
how sure the bond is: ``via_product`` (the factory's product of ``via_streamer`` with the
best carry trust), ``bond_trust``, ``consumer_credibility``, ``bond_confidence`` (the trust
model's, NaN when the bonds came without one) and ``carry_trust`` ``K(f, s)``.

Reference: trust along a chain is the product of the edge trusts, the transitive trust
of J. Golbeck, "Computing and Applying Trust in Web-based Social Networks", PhD
thesis, University of Maryland, 2005, and A. Jøsang et al., "Trust network analysis
with subjective logic", ACSC 2006.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._arrays import unique
from .index import PathIndex, factory_ranges

COLUMNS = ("factory_id", "consumer_id", "kind", "path_trust", "via_streamer", "rank", "via_product", "bond_trust",
           "consumer_credibility", "bond_confidence", "carry_trust")
KINDS = ("direct", "prospective")


@dataclass
class BestPaths:
    """Best one-bond path of every reachable (factory, consumer) pair, sorted by (f, c).

    ``second`` is the best path trust through a *different* streamer (0 if none): what is
    left when ``via`` is removed. ``via`` is -1 for buyers without a bond path.
    """

    factory: np.ndarray  # int64 codes
    consumer: np.ndarray  # int64 codes
    best: np.ndarray  # float64 path trust
    via: np.ndarray  # int64 streamer code or -1
    second: np.ndarray  # float64
    direct: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.factory)


def _expand(index: PathIndex, f_lo: int, f_hi: int) -> tuple[np.ndarray, ...]:
    """Rows (f, c, s, value) of every path c → s → f for factories in [f_lo, f_hi)."""
    K, B = index.K, index.B
    start, stop = K.indptr[f_lo], K.indptr[f_hi]
    k_f = np.repeat(np.arange(f_lo, f_hi), np.diff(K.indptr[f_lo : f_hi + 1]))
    k_s = K.indices[start:stop].astype(np.int64)
    k_v = K.data[start:stop]
    counts = (B.indptr[k_s + 1] - B.indptr[k_s]).astype(np.int64)
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(B.indptr[k_s].astype(np.int64), counts) + (np.arange(total) - offsets)
    f = np.repeat(k_f, counts)
    s = np.repeat(k_s, counts)
    value = np.repeat(k_v, counts) * B.data[pos]
    c = B.indices[pos].astype(np.int64)
    return f, c, s, value


def _reduce(f: np.ndarray, c: np.ndarray, s: np.ndarray, v: np.ndarray, n_consumers: int):
    """Per (f, c): best value, its streamer (smallest on ties), second best via another streamer."""
    key = f * n_consumers + c
    order = np.argsort(key, kind="stable")  # rows come in streamer order within f: stable keeps it
    key, s, v = key[order], s[order], v[order]
    n = len(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if n else np.zeros(0, np.int64)
    best = np.maximum.reduceat(v, starts) if n else np.zeros(0)
    sizes = np.diff(np.r_[starts, n])
    is_best = v == np.repeat(best, sizes)
    first_best = np.minimum.reduceat(np.where(is_best, np.arange(n), n), starts) if n else np.zeros(0, np.int64)
    via = s[first_best]
    n_best = np.add.reduceat(is_best.astype(np.int64), starts) if n else np.zeros(0, np.int64)
    others = np.maximum.reduceat(np.where(is_best, -np.inf, v), starts) if n else np.zeros(0)
    second = np.where(n_best >= 2, best, np.maximum(others, 0.0))
    group_key = key[starts]
    return group_key // n_consumers, group_key % n_consumers, best, via, second


#: Expanded path rows per block of factories (about 100 bytes each while a block is reduced).
BLOCK_ROWS = 4_000_000


def _factory_blocks(index: PathIndex, block_rows: int) -> Iterator[tuple[int, int]]:
    """Consecutive factory ranges ``[f_lo, f_hi)`` of about ``block_rows`` expanded rows (a factory above it alone)."""
    K, B = index.K, index.B
    nF = index.n_factories
    deg = np.diff(B.indptr).astype(np.int64)
    rows_per_f = np.add.reduceat(np.r_[deg[K.indices], 0], K.indptr[:-1]) if K.nnz else np.zeros(nF, np.int64)
    rows_per_f = np.where(np.diff(K.indptr) > 0, rows_per_f, 0)
    if nF == 0:  # one empty range, so that callers always get at least one (empty) block
        yield 0, 0
    yield from factory_ranges(rows_per_f, block_rows)


def _with_buyers(f, c, best, via, second, direct_keys: np.ndarray, n_consumers: int) -> BestPaths:
    """Mark the direct buyers among the (f, c) pairs (sorted keys) and add those without a bond path."""
    nC = n_consumers
    keys = f * nC + c
    pos = np.searchsorted(direct_keys, keys)
    pos_ok = np.minimum(pos, max(len(direct_keys) - 1, 0))
    direct = (pos < len(direct_keys)) & (direct_keys[pos_ok] == keys) if len(direct_keys) else np.zeros(len(keys), bool)
    # keys are sorted and unique: a buyer has a bond path iff it is found there
    at = np.minimum(np.searchsorted(keys, direct_keys), max(len(keys) - 1, 0))
    found = keys[at] == direct_keys if len(keys) else np.zeros(len(direct_keys), bool)
    missing = direct_keys[~found]
    if len(missing):
        f = np.r_[f, missing // nC]
        c = np.r_[c, missing % nC]
        best = np.r_[best, np.zeros(len(missing))]
        via = np.r_[via, np.full(len(missing), -1, np.int64)]
        second = np.r_[second, np.zeros(len(missing))]
        direct = np.r_[direct, np.ones(len(missing), bool)]
        order = np.argsort(f * nC + c, kind="stable")
        f, c, best, via, second, direct = (x[order] for x in (f, c, best, via, second, direct))
    return BestPaths(f.astype(np.int64), c.astype(np.int64), best, via.astype(np.int64), second, direct)


def best_path_blocks(index: PathIndex, *, block_rows: int | None = None) -> Iterator[BestPaths]:
    """:func:`best_paths` one block of consecutive factories at a time, in (f, c) order.

    Concatenated, the blocks are :func:`best_paths`. Every output of a factory depends
    only on its own pairs, so the jobs consume the blocks one by one: memory is bounded
    by one block, not by every reachable pair (97 million on the ``l`` world).
    ``block_rows`` defaults to the module's ``BLOCK_ROWS`` (read at call time).
    """
    nC = index.n_consumers
    # direct buyers: (f, c) pairs of the orders, sorted: each block takes its factories' slice
    direct_keys = unique(index.o_factory * nC + index.o_consumer)
    for f_lo, f_hi in _factory_blocks(index, BLOCK_ROWS if block_rows is None else block_rows):
        lo, hi = np.searchsorted(direct_keys, [f_lo * nC, f_hi * nC])
        yield _with_buyers(*_reduce(*_expand(index, f_lo, f_hi), nC), direct_keys[lo:hi], nC)


def best_paths(index: PathIndex, *, block_rows: int | None = None) -> BestPaths:
    """The best one-bond path of every reachable (factory, consumer) pair.

    Factories are reduced in blocks of about ``block_rows`` expanded rows
    (:func:`best_path_blocks`); the result holds every pair at once.
    """
    blocks = list(best_path_blocks(index, block_rows=block_rows))
    return BestPaths(*(np.concatenate([getattr(b, name) for b in blocks]) for name in _FIELDS))


_FIELDS = ("factory", "consumer", "best", "via", "second", "direct")


def factory_reach(index: PathIndex, *, top_k: int | None = 1000, paths: BestPaths | None = None) -> pd.DataFrame:
    """Direct and prospective consumers of every factory; columns in the module docstring.

    Parameters
    ----------
    index : PathIndex
    top_k : int or None, default 1000
        Rows kept per (factory, kind), best first; ``None`` keeps all.
    paths : BestPaths, optional
        Reuse a :func:`best_paths` result; without it the pairs are made and ranked one
        block of factories at a time (:func:`best_path_blocks`).
    """
    blocks = [paths] if paths is not None else best_path_blocks(index)
    return reach_frame(index, [reach_rows(index, bp, top_k) for bp in blocks])


def reach_rows(index: PathIndex, bp: BestPaths, top_k: int | None) -> tuple[np.ndarray, ...]:
    """The kept rows of the factories in ``bp``, in output order.

    Returns codes and values: (factory, consumer, kind, path_trust, via, rank). Rows of
    one factory depend only on that factory's pairs, so blocks of factories in order,
    concatenated, give the rows of all of them.
    """
    kind = np.where(bp.direct, 0, 1).astype(np.int64)
    group = bp.factory * 2 + kind
    # rows come sorted by (f, c); stable sorts by -trust, then by group, keep consumer order on ties
    # (the second sort is a radix sort when the group fits 16 bits: much faster than a lexsort)
    order = np.argsort(-bp.best, kind="stable")
    small = group.astype(np.uint16) if index.n_factories * 2 < 2**16 else group
    order = order[np.argsort(small[order], kind="stable")]
    group_sorted = group[order]
    starts = np.flatnonzero(np.r_[True, group_sorted[1:] != group_sorted[:-1]]) if len(order) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes) + 1
    if top_k is not None:
        keep = rank <= top_k
        order, rank = order[keep], rank[keep]
    return bp.factory[order], bp.consumer[order], kind[order], bp.best[order], bp.via[order], rank


def reach_frame(index: PathIndex, parts: Iterable[tuple[np.ndarray, ...]]) -> pd.DataFrame:
    """The ``factory_reach`` frame of :func:`reach_rows` parts (blocks of factories in order)."""
    factory, consumer, kind, best, via, rank = (np.concatenate(x) for x in zip(*parts))
    via_ids = np.where(via >= 0, index.streamer_ids[np.maximum(via, 0)], None)
    return pd.DataFrame({
        "factory_id": index.factory_ids[factory],
        "consumer_id": index.consumer_ids[consumer],
        "kind": np.asarray(KINDS, dtype=object)[kind],
        "path_trust": best,
        "via_streamer": via_ids,
        "rank": rank.astype(np.int64),
        **path_components(index, factory, consumer, via),
    })[list(COLUMNS)]


def path_components(index: PathIndex, factory: np.ndarray, consumer: np.ndarray, via: np.ndarray) -> dict:
    """The bond and carry behind each (factory, consumer, via streamer) path; NaN / None where
    ``via`` is -1 (a buyer without a bond path)."""
    has = via >= 0
    f, c, s = factory[has], consumer[has], via[has]
    # the bonds are sorted streamer-major (index.build_index), so their keys are sorted too
    keys = index.bond_streamer * index.n_consumers + index.bond_consumer
    at = np.searchsorted(keys, s * index.n_consumers + c)
    carry = np.asarray(index.K[f, s]).ravel() if len(f) else np.zeros(0)
    product = np.asarray(index.K_product[f, s]).ravel().astype(np.int64) - 1 if len(f) else np.zeros(0, np.int64)

    def spread(values: np.ndarray, fill) -> np.ndarray:
        out = np.full(len(via), fill, dtype=object if fill is None else np.float64)
        out[has] = values
        return out

    return {
        "via_product": spread(index.product_ids[product], None),
        "bond_trust": spread(index.bond_trust[at], np.nan),
        "consumer_credibility": spread(index.bond_credibility[at], np.nan),
        "bond_confidence": spread(index.bond_confidence[at], np.nan),
        "carry_trust": spread(carry, np.nan),
    }
