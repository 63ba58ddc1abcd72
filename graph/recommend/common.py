"""Vectorised building blocks shared by the recommenders: normalising, top-K, chunks."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Cells of a dense score block (rows x candidates) computed at once (float64: ~256 MB).
BLOCK_CELLS = 32_000_000


def row_normalize(m: sp.spmatrix) -> sp.csr_matrix:
    """Rows scaled to sum 1 (L1; empty rows stay empty)."""
    m = sp.csr_matrix(m, dtype=np.float64)
    sums = np.asarray(m.sum(axis=1)).ravel()
    inv = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sp.csr_matrix(sp.diags(inv) @ m)


def top_k_sparse_rows(m: sp.spmatrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of every row (ties: lower column first)."""
    m = sp.csr_matrix(m)
    m.eliminate_zeros()
    if m.nnz == 0:
        return m
    counts = np.diff(m.indptr)
    rows = np.repeat(np.arange(m.shape[0]), counts)
    order = np.lexsort((m.indices, -m.data, rows))
    rank = np.arange(m.nnz) - np.repeat(m.indptr[:-1], counts)
    keep = order[rank < k]  # order is grouped by row, so rank counts positions inside a row
    out = sp.csr_matrix((m.data[keep], (rows[keep], m.indices[keep])), shape=m.shape)
    out.sort_indices()
    return out


def top_k_dense(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of each row's ``k`` best finite scores, best first.

    ``-inf`` marks an excluded candidate; rows with fewer than ``k`` candidates are
    padded with index ``-1`` and value ``nan``. Ties break towards the lower column.
    """
    n, m = scores.shape
    k_eff = min(k, m)
    if n == 0 or k_eff == 0:
        return np.full((n, k), -1, np.int64), np.full((n, k), np.nan)
    if k_eff < m:
        part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    else:
        part = np.broadcast_to(np.arange(m), (n, m)).copy()
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
    vals = np.take_along_axis(vals, order, axis=1)
    # argpartition breaks ties at the k-th place arbitrarily; fix them so results are stable
    kth = vals[:, -1:]
    tied = np.isfinite(kth.ravel()) & ((scores == kth).sum(axis=1) > (vals == kth).sum(axis=1))
    if tied.any():
        rows = np.flatnonzero(tied)
        sub = scores[rows]
        full = np.lexsort((np.broadcast_to(np.arange(m), sub.shape), -sub), axis=1)[:, :k_eff]
        idx[rows] = full
        vals[rows] = np.take_along_axis(sub, full, axis=1)
    bad = ~np.isfinite(vals)
    idx[bad], vals[bad] = -1, np.nan
    if k_eff < k:
        idx = np.pad(idx, ((0, 0), (0, k - k_eff)), constant_values=-1)
        vals = np.pad(vals, ((0, 0), (0, k - k_eff)), constant_values=np.nan)
    return idx, vals


def blocked_top_k(score_block, rows: np.ndarray, n_objects: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_k_dense` over ``score_block(rows)`` in slices of ~16M cells (bounded memory)."""
    idx = np.full((len(rows), k), -1, np.int64)
    vals = np.full((len(rows), k), np.nan)
    step = max(1, 16_000_000 // max(1, n_objects))
    for start in range(0, len(rows), step):
        sl = slice(start, start + step)
        idx[sl], vals[sl] = top_k_dense(score_block(rows[sl]), k)
    return idx, vals


def chunks(n: int, width: int, cells: int = BLOCK_CELLS) -> Iterator[slice]:
    """Row slices of ``n`` rows such that rows x ``width`` stays under ``cells``."""
    step = max(1, cells // max(1, width))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def exclude(block: np.ndarray, mask: sp.spmatrix) -> np.ndarray:
    """Set ``-inf`` where ``mask`` (same shape, sparse) has an entry."""
    mask = sp.coo_matrix(mask)
    block[mask.row, mask.col] = -np.inf
    return block


def top_k_of(score_rows, n_rows: int, width: int, k: int, *, rows: np.ndarray | None = None,
             cells: int = BLOCK_CELLS) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` per row of a score matrix produced block by block.

    ``score_rows(row_codes) -> dense block`` gives the scores of those rows (``-inf``
    for excluded candidates); ``rows`` restricts to some row codes (default all).
    """
    rows = np.arange(n_rows) if rows is None else np.asarray(rows, dtype=np.int64)
    idx = np.full((len(rows), k), -1, np.int64)
    vals = np.full((len(rows), k), np.nan)
    for sl in chunks(len(rows), width, cells):
        block = score_rows(rows[sl])
        idx[sl], vals[sl] = top_k_dense(block, k)
    return idx, vals


def pairs_of(subjects: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Long form of a top-K result: subject code, rank (1-based), object code, score."""
    n, k = idx.shape
    ok = idx >= 0
    subj = np.repeat(np.asarray(subjects, dtype=np.int64), k).reshape(n, k)[ok]
    rank = np.broadcast_to(np.arange(1, k + 1), (n, k))[ok]
    return subj, rank, idx[ok], vals[ok]


def pair_values(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``m[rows[i], cols[i]]`` for many pairs at once (0 where absent)."""
    m = sp.csr_matrix(m)
    if len(rows) == 0:
        return np.zeros(0)
    m.sort_indices()
    n_cols = m.shape[1]
    counts = np.diff(m.indptr)
    keys = np.repeat(np.arange(m.shape[0], dtype=np.int64), counts) * n_cols + m.indices
    want = np.asarray(rows, dtype=np.int64) * n_cols + np.asarray(cols, dtype=np.int64)
    pos = np.searchsorted(keys, want)
    pos = np.minimum(pos, max(0, len(keys) - 1))
    hit = (keys[pos] == want) if len(keys) else np.zeros(len(want), bool)
    return np.where(hit, m.data[pos] if len(keys) else 0.0, 0.0)


class Part:
    """One piece of a reason text for many rows: ``labels[codes[i]]`` (``""``: nothing).

    Built from the distinct values only, so millions of rows cost a few ``np.unique``.
    """

    def __init__(self, codes: np.ndarray, labels: np.ndarray):
        self.codes = np.asarray(codes, dtype=np.int64)
        self.labels = np.asarray(labels, dtype=object)

    def strings(self) -> np.ndarray:
        return self.labels[self.codes]


def part(template: str, *values: np.ndarray, when: np.ndarray | None = None) -> Part:
    """``template.format(*row_values)`` per row (``""`` where ``when`` is False)."""
    n = len(values[0])
    key = np.zeros(n, dtype=np.int64)
    for v in values:
        u, inv = np.unique(np.asarray(v), return_inverse=True)
        key = key * max(1, len(u)) + inv.reshape(-1)
    _, first, codes = np.unique(key, return_index=True, return_inverse=True)
    labels = [template.format(*(np.asarray(v)[i] for v in values)) for i in first]
    codes = codes.reshape(-1).astype(np.int64)
    if when is not None:
        labels.append("")
        codes = np.where(np.asarray(when, dtype=bool), codes, len(labels) - 1)
    return Part(codes, np.array(labels, dtype=object))


def pct(x: np.ndarray, digits: int = 1) -> np.ndarray:
    """Shares -> percentages rounded for display (``0.0042 -> 0.4``)."""
    return np.round(np.nan_to_num(np.asarray(x, dtype=np.float64)) * 100.0, digits)


def flag(mask: np.ndarray, label: str) -> Part:
    """``label`` where ``mask`` is True, nothing elsewhere."""
    return Part(np.asarray(mask, dtype=bool).astype(np.int64), np.array(["", label], dtype=object))


def object_part(per_object: np.ndarray, obj: np.ndarray, template: str) -> Part:
    """``template.format(per_object[o])`` for each row's object ``o`` (``""`` where that is
    empty): the distinct texts are made once per object, not per row."""
    distinct, inverse = np.unique(np.asarray(per_object, dtype=str), return_inverse=True)
    texts = np.array([template.format(x) if x else "" for x in distinct], dtype=object)
    return Part(inverse.reshape(-1)[np.asarray(obj, dtype=np.int64)], texts)


def join_parts(*parts: Part, sep: str = "; ", default: str = "") -> pd.Categorical:
    """Row-wise join of the non-empty parts (each distinct combination joined once), as a
    categorical column (see :func:`labels`)."""
    if not parts:
        return pd.Categorical([])
    n = len(parts[0].codes)
    key = np.zeros(n, dtype=np.int64)
    for p in parts:
        key = key * max(1, len(p.labels)) + p.codes
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    text = [sep.join(t for t in (p.labels[p.codes[i]] for p in parts) if t) or default for i in first]
    codes, distinct = pd.factorize(np.array(text, dtype=object))  # two combinations may read the same
    return pd.Categorical.from_codes(codes[inv.reshape(-1)], categories=distinct)


def labels(codes: np.ndarray, names: pd.Index) -> pd.Categorical:
    """``names[codes]`` (code ``-1``: missing) as a categorical column of a list.

    One small integer per row into the distinct names, where a string column copies the
    text into every row (a consumer list of the m world has 7.3M rows): a recommend run's
    peak RSS on m about halved (bench/results/recommend.md). The files are the same.
    """
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=names)


class MatrixRecommender:
    """A recommender fit on a user x item interaction matrix (the baselines' shape).

    Subclasses set ``self.X_`` in ``fit`` and give their scores one of three ways, the
    cheapest first: ``shared_scores()``, one row of scores every user gets (most popular);
    ``score_sparse(rows)``, the non-negative scores of those user rows as a sparse matrix
    whose absent entries are 0 (item-kNN, RP3beta); or ``score_block(rows)``, the dense
    scores of those rows over every item. :meth:`recommend` takes the top K per user,
    never recommending what the user already interacted with, and gives the same lists
    and scores whichever way the scores come: the sparse ways only skip the work a dense
    block spends on items that cannot make a user's list (on the l world's 1.3M users and
    151,810 products the three baselines took 5.5 minutes, where dense blocks would have
    taken an estimated three hours; bench/results/recommend.md).
    """

    X_: sp.csr_matrix

    #: True for a baseline that ranks products only, reading follows and sales besides the purchase
    #: matrix (:class:`~.followed_sellers.FollowedSellers`): the consumer -> streamers evaluation skips it.
    products_only: bool = False

    def fit_graph(self, X: sp.spmatrix, graph) -> "MatrixRecommender":
        """Fit for the evaluation on ``X``, the list's (user x item) matrix of the training part; a
        baseline that reads more of the training graph (a :class:`~.data.Graph`) overrides this."""
        return self.fit(X)

    def score_block(self, rows: np.ndarray) -> np.ndarray:
        """Dense scores of the user ``rows`` over every item (default: from the sparse ways)."""
        shared = self.shared_scores()
        if shared is not None:
            return np.broadcast_to(shared, (len(rows), len(shared))).copy()
        scores = self.score_sparse(rows)
        if scores is None:  # pragma: no cover - a subclass must give its scores one way
            raise NotImplementedError
        return np.asarray(scores.toarray())

    def shared_scores(self) -> np.ndarray | None:
        """Scores every user gets, or None when they are personal."""
        return None

    def score_sparse(self, rows: np.ndarray) -> sp.csr_matrix | None:
        """Non-negative scores of the user ``rows`` (absent: 0), or None when not sparse."""
        return None

    def recommend(self, k: int, rows: np.ndarray | None = None, *, exclude_seen: bool = True,
                  fill_popular: bool = True, cells: int = BLOCK_CELLS,
                  excluded: sp.spmatrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` item codes and scores per user row.

        ``excluded``: the (user x item) pairs never to recommend, when they are not the fitted
        matrix's (``exclude_seen``): the evaluation gives the baselines of consumer -> streamers
        every streamer a consumer ever followed, as livetrust's list excludes, while they fit on
        the follows running at the cutoff. ``fill_popular`` breaks ties -- above all among the items a personalised model
        gives no score -- by popularity (a tiny ``1e-6 x`` the row's smallest positive
        score), so short lists are filled the way a team would fill them.
        """
        X = self.X_
        n_items = X.shape[1]
        degree = np.asarray((X > 0).sum(axis=0), dtype=np.float64).ravel()
        pop = degree / degree.max() if degree.size and degree.max() > 0 else degree
        fill = pop if fill_popular else np.zeros(n_items)
        rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
        if excluded is not None:
            seen = sp.csr_matrix(excluded)
            if seen.shape != X.shape:
                raise ValueError(f"excluded has shape {seen.shape}; the fitted matrix {X.shape}")
        else:
            seen = X if exclude_seen else sp.csr_matrix(X.shape)
        shared = self.shared_scores()
        if shared is not None:
            return _top_k_shared(np.asarray(shared, dtype=np.float64), fill, seen, rows, k, cells)
        if type(self).score_sparse is not MatrixRecommender.score_sparse:
            return _top_k_personal(self.score_sparse, fill, seen, rows, k, entries=cells // 4)

        def block(r: np.ndarray) -> np.ndarray:
            b = np.array(self.score_block(r), dtype=np.float64)
            b += _eps(np.where(b > 0, b, np.inf).min(axis=1, initial=np.inf))[:, None] * fill
            exclude(b, seen[r])
            return b

        return top_k_of(block, X.shape[0], n_items, k, rows=rows, cells=cells)


def _eps(smallest: np.ndarray) -> np.ndarray:
    """The fill's weight per row: ``1e-6`` x the row's smallest positive score (1e-6 without one),
    so a filled item never passes a scored one."""
    return 1e-6 * np.where(np.isfinite(smallest), smallest, 1.0)


def _top_k_shared(shared: np.ndarray, fill: np.ndarray, seen: sp.csr_matrix, rows: np.ndarray, k: int,
                  cells: int) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`MatrixRecommender.recommend` when every user has the same scores: one ranking of
    the items, each user's first ``k`` of it not seen."""
    scores = shared + _eps(np.where(shared > 0, shared, np.inf).min(initial=np.inf)) * fill
    ranking = np.lexsort((np.arange(len(scores)), -scores))
    idx = np.full((len(rows), k), -1, np.int64)
    vals = np.full((len(rows), k), np.nan)
    seen = seen[rows]
    most_seen = int(np.diff(seen.indptr).max(initial=0))
    head = ranking[:k + most_seen]  # enough for every user: at most most_seen of them are seen
    for sl in chunks(len(rows), len(head), cells):
        free = seen[sl][:, head].toarray() == 0
        _place_in_order(idx[sl], vals[sl], free, np.broadcast_to(head, free.shape),
                        np.broadcast_to(scores[head], free.shape), start=np.zeros(free.shape[0], np.int64))
    return idx, vals


def _top_k_personal(score_sparse, fill: np.ndarray, seen: sp.csr_matrix, rows: np.ndarray, k: int,
                    entries: int = 8_000_000) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`MatrixRecommender.recommend` from sparse scores, block by block of users: the
    scored items not seen, best first (ties: lower item), then, for users with fewer than
    ``k``, the fill order (popularity, then lower item) of the items left."""
    n_items = seen.shape[1]
    idx = np.full((len(rows), k), -1, np.int64)
    vals = np.full((len(rows), k), np.nan)
    fill_order = np.lexsort((np.arange(n_items), -fill))
    start, step = 0, max(1, min(1_000, entries))
    while start < len(rows):
        sl = slice(start, min(len(rows), start + step))
        scores = sp.csr_matrix(score_sparse(rows[sl]))
        scores.eliminate_zeros()
        if scores.nnz and scores.data.min() < 0:
            raise ValueError("score_sparse must give non-negative scores (absent entries are 0)")
        _top_k_block(scores, fill, fill_order, seen[rows[sl]], k, idx[sl], vals[sl])
        # the next block's users: as many as keep its scores near ``entries``
        per_user = max(1.0, scores.nnz / max(1, sl.stop - sl.start))
        start, step = sl.stop, int(max(1, min(100_000, entries / per_user)))
    return idx, vals


def _top_k_block(scores: sp.csr_matrix, fill: np.ndarray, fill_order: np.ndarray, seen: sp.csr_matrix, k: int,
                 idx: np.ndarray, vals: np.ndarray, cells: int = 4_000_000) -> None:
    n, n_items = scores.shape
    scores.sort_indices()
    counts = np.diff(scores.indptr)
    user = np.repeat(np.arange(n, dtype=np.int64), counts)
    smallest = np.full(n, np.inf)  # over every scored item, the seen ones too, as a dense row would
    if scores.nnz:
        smallest[counts > 0] = np.minimum.reduceat(scores.data, scores.indptr[:-1][counts > 0])
    item = scores.indices.astype(np.int64)
    value = scores.data + _eps(smallest)[user] * fill[item]
    scored_keys, seen_keys = user * n_items + item, _keys(seen)
    value[_member(scored_keys, seen_keys)] = -np.inf
    # Each row's scored items, packed to the left of a dense block (users of similar counts
    # together, so little of it is padding): top_k_dense picks there, and its ties go to the
    # lower position, which is the lower item (CSR order).
    by_count = np.argsort(counts, kind="stable")
    for group in _groups_by_width(counts[by_count], cells):
        users = by_count[group]
        width = int(counts[users[-1]])
        if width == 0:
            continue
        packed = np.full((len(users), width), -np.inf)
        row = np.repeat(np.arange(len(users)), counts[users])
        position = np.arange(len(row)) - np.repeat(np.cumsum(counts[users]) - counts[users], counts[users])
        packed[row, position] = value[scores.indptr[users][row] + position]
        best, best_vals = top_k_dense(packed, k)
        at = np.where(best >= 0, scores.indptr[users][:, None] + best, 0)  # -1: nothing there
        idx[users] = np.where(best >= 0, scores.indices[at], -1)
        vals[users] = best_vals
    # short lists: the fill order of the items neither seen nor scored
    have = (idx >= 0).sum(axis=1)
    short = np.flatnonzero(have < k)
    if not len(short):
        return
    reach = int((np.diff(seen.indptr)[short] + counts[short]).max(initial=0)) + k  # seen or scored, and k more
    head = fill_order[:reach]
    for sl in chunks(len(short), len(head), cells):
        users = short[sl]
        candidates = users[:, None] * n_items + head[None, :]
        free = ~(_member(candidates, seen_keys) | _member(candidates, scored_keys))  # both sorted
        sub_idx, sub_vals = idx[users], vals[users]
        _place_in_order(sub_idx, sub_vals, free, np.broadcast_to(head, free.shape),
                        _eps(smallest[users])[:, None] * fill[head][None, :], start=have[users])
        idx[users], vals[users] = sub_idx, sub_vals


def _groups_by_width(sorted_counts: np.ndarray, cells: int) -> Iterator[slice]:
    """Consecutive slices of rows (counts ascending) whose rows x widest count stays within
    ``cells`` (a row wider than that alone)."""
    start = 0
    while start < len(sorted_counts):
        widths = np.maximum(sorted_counts[start:].astype(np.int64), 1)
        size = np.arange(1, len(widths) + 1) * widths  # non-decreasing: the widest row is the last
        end = start + max(1, int(np.searchsorted(size, cells, side="right")))
        yield slice(start, end)
        start = end


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which of ``keys`` are in ``sorted_keys`` (any shape; a binary search each)."""
    if not len(sorted_keys):
        return np.zeros(np.shape(keys), bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _keys(m: sp.csr_matrix) -> np.ndarray:
    """``row * n_cols + col`` of the stored entries, sorted: explicit zeros too, as the dense
    path's :func:`exclude` masks them (``pair_values`` would read them as absent)."""
    m = sp.csr_matrix(m)
    m.sort_indices()
    return np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr)) * m.shape[1] + m.indices


def _place_in_order(idx: np.ndarray, vals: np.ndarray, free: np.ndarray, items: np.ndarray, values: np.ndarray,
                    start: np.ndarray) -> None:
    """Row ``i`` gets the ``free`` candidates of ``items[i]`` in order, from position ``start[i]``
    until its ``k`` places are full."""
    k = idx.shape[1]
    place = start[:, None] + np.cumsum(free, axis=1) - 1
    ok = free & (place < k)
    r, c = np.nonzero(ok)
    idx[r, place[r, c]] = items[r, c]
    vals[r, place[r, c]] = values[r, c]


def top_k_sparse(m: sp.spmatrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of each row's ``k`` best stored entries, best first.

    Like :func:`top_k_dense` for a sparse score matrix whose stored entries are the
    candidates (``-inf`` entries are excluded candidates); rows are padded with -1/NaN.
    Ties break towards the lower column.
    """
    m = sp.csr_matrix(m)
    m.sort_indices()
    n = m.shape[0]
    idx = np.full((n, k), -1, np.int64)
    vals = np.full((n, k), np.nan)
    if m.nnz == 0:
        return idx, vals
    counts = np.diff(m.indptr)
    rows = np.repeat(np.arange(n), counts)
    data = m.data
    ok = np.isfinite(data)
    # One stable sort of a composite key ``row + 0.25 + 0.5 * (1 - normalised score)``
    # (excluded entries: ``row + 0.9``) orders rows, then scores best first; ties -- and
    # scores closer than ~1e-11 of the block's score range -- keep the CSR order, i.e.
    # the lower column first. Several times faster than a two-key lexsort.
    lo, hi = (data[ok].min(), data[ok].max()) if ok.any() else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    frac = np.where(ok, 0.25 + 0.5 * (1.0 - (np.where(ok, data, lo) - lo) / span), 0.9)
    order = np.argsort(rows + frac, kind="stable")
    rank = np.arange(m.nnz) - np.repeat(m.indptr[:-1], counts)  # rank inside the row, in sorted order
    take = rank < k
    sel, r = order[take], rank[take]
    good = ok[sel]
    idx[rows[sel][good], r[good]] = m.indices[sel][good]
    vals[rows[sel][good], r[good]] = data[sel][good]
    return idx, vals


def with_candidates(scores: sp.spmatrix, extra_cols: np.ndarray, per_row: np.ndarray | None = None) -> sp.csr_matrix:
    """``scores`` with explicit zero entries added at the first ``per_row[i]`` of
    ``extra_cols`` in row ``i`` (all of them when ``per_row`` is None): extra candidates."""
    s = sp.coo_matrix(scores)
    n = s.shape[0]
    extra_cols = np.asarray(extra_cols, dtype=np.int64)
    if per_row is None:
        per_row = np.full(n, len(extra_cols), dtype=np.int64)
    per_row = np.minimum(np.asarray(per_row, dtype=np.int64), len(extra_cols))
    starts = np.cumsum(per_row) - per_row
    within = np.arange(int(per_row.sum()), dtype=np.int64) - np.repeat(starts, per_row)
    rows = np.concatenate([s.row, np.repeat(np.arange(n), per_row)])
    cols = np.concatenate([s.col, extra_cols[within]])
    # coo -> csr sums duplicates and keeps the explicit zeros: the extra candidates
    data = np.concatenate([s.data, np.zeros(len(within))])
    return sp.csr_matrix((data, (rows, cols)), shape=s.shape)
