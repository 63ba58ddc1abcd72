"""Co-audience index: for every streamer pair, the consumers bonded to both, best first.

A shared-streamer path ``c → s1 ← c' → s2 → p → f`` (see :mod:`.most_trusted`) has trust
``b(c, s1) · b(c', s1) · b(c', s2) · κ(s2, p)``. For a fixed pair ``(s1, s2)`` the best
intermediate consumers ``c'`` are those with the largest ``b(c', s1) · b(c', s2)``,
whatever the consumer ``c`` and the factory. Answering one pair live means reading the
audiences of the consumer's streamers and every bond of those audiences (in the ``m``
world, 1.5M bonds for a consumer who follows hubs, 11-16 s in Cypher); answering it from
this index means reading the few pairs that join the consumer's streamers to the
factory's carriers.

The ranking ``b(c', s1) · b(c', s2)`` is symmetric in the pair, so one row per unordered
pair serves both directions: :func:`co_audience` lists every pair of streamers sharing a
bonded consumer, ``streamer_id`` first (smaller streamer code), ``partner_id`` second, and
its ``keep`` best consumers ``c'`` (ties: smallest consumer id) as three parallel lists
``vias`` (c' ids), ``via_trust`` (``b(c', streamer)``) and ``partner_trust``
(``b(c', partner)``). ``keep`` best per pair are enough for the ``top < keep`` most
trusted paths of any consumer (at most one of them is the consumer itself). Bonds are
those of the path index: trust > 0 and at least ``min_bond``.

The paths job writes it to Neo4j as one ``(:CoAudience)`` node per bonded streamer,
stamped with its run and the score run of the bonds (``queries/paths/co_audience_create.cypher``),
and one ``(:CoAudience)-[:SHARES]->(:CoAudience)`` relationship per pair
(``queries/paths/co_audience_shares.cypher``); ``queries/paths/most_trusted_path.cypher``
reads them when they match the bonds asked for.

Examples
--------
>>> pairs = co_audience(index, keep=8)
>>> pairs.columns.tolist()
['streamer_id', 'partner_id', 'vias', 'via_trust', 'partner_trust']
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from .index import PathIndex

KEEP = 8

COLUMNS = ("streamer_id", "partner_id", "vias", "via_trust", "partner_trust")

#: How the index's bond values were weighed, stamped on its nodes: ``most_trusted_path.cypher``
#: reads an index only with this stamp (the same literal), so one built by a version that stored
#: the plain bond trust (before the credibility weight) is not mixed with weighed bonds: the
#: query joins live until the next paths run rebuilds it.
BOND_WEIGHT = "trust_x_credibility"


# Pair entries (a consumer with d bonds spans d * d) generated at once: 54 bytes each at the peak
# of making a block, so 20M take 1.1 GB (bench/co_audience_block_memory.py). On the l world all
# pairs at once took the paths job from 8.0 to 12.6 GB (bench/results/paths.md, "The co-audience
# index in blocks").
BLOCK_ENTRIES = 20_000_000


def co_audience(index: PathIndex, keep: int = KEEP, *, block_entries: int = BLOCK_ENTRIES) -> pd.DataFrame:
    """The co-audience lists of every streamer pair that shares a bonded consumer.

    Parameters
    ----------
    index : PathIndex
        Its ``BT`` (consumer × streamer bond trust) holds the bonds.
    keep : int, default 8
        Consumers kept per streamer pair.
    block_entries : int, default 20,000,000
        Pair entries made at once: consumers go in blocks, and each block's pairs are cut to
        their ``keep`` best before the next block is made. The result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per unordered pair (``streamer_id`` has the smaller
        streamer code of the index), in (streamer, partner) code order.
    """
    frames = list(co_audience_chunks(index, keep, block_entries=block_entries))
    return pd.concat(frames, ignore_index=True) if frames else _frame(np.array([], dtype=str), np.array([], dtype=str), [], [], [])


def co_audience_chunks(index: PathIndex, keep: int = KEEP, *, rows: int = 100_000,
                       block_entries: int = BLOCK_ENTRIES) -> Iterator[pd.DataFrame]:
    """:func:`co_audience` as frames of at most ``rows`` pairs each, made one at a time.

    The kept consumers of every pair are held as flat arrays; only a chunk's rows become
    Python lists (of ids and trusts), which take many times the arrays' memory. The paths job
    writes the chunks back to Neo4j as they come (:func:`~livetrust.writeback.publish_run`).
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    BT = index.BT.tocsr()
    best = _BestPerPair(keep, block_entries)
    for lo, hi in _consumer_blocks(BT, block_entries):
        best.add(_pairs(BT, lo, hi))
    kept = best.result()
    if kept is None:  # no consumer at all
        return
    s1, s2, via, t1, t2 = kept
    del best, kept
    heads = np.append(np.flatnonzero(_group_starts(s1, s2)), len(s1))
    for first in range(0, len(heads) - 1, rows):
        pair_heads = heads[first:min(first + rows, len(heads) - 1) + 1]
        lo, hi = int(pair_heads[0]), int(pair_heads[-1])
        bounds = list(zip((pair_heads[:-1] - lo).tolist(), (pair_heads[1:] - lo).tolist()))

        def lists(values: list) -> list[list]:
            return [values[a:b] for a, b in bounds]

        yield _frame(index.streamer_ids[s1[pair_heads[:-1]]].astype(str), index.streamer_ids[s2[pair_heads[:-1]]].astype(str),
                     lists(index.consumer_ids[via[lo:hi]].astype(str).tolist()), lists(t1[lo:hi].tolist()),
                     lists(t2[lo:hi].tolist()))


def _frame(streamers: np.ndarray, partners: np.ndarray, vias: list, via_trust: list, partner_trust: list) -> pd.DataFrame:
    """The :data:`COLUMNS` frame; the list columns are object-typed even when empty."""
    return pd.DataFrame({
        "streamer_id": streamers.astype(str), "partner_id": partners.astype(str),
        "vias": pd.Series(vias, dtype=object), "via_trust": pd.Series(via_trust, dtype=object),
        "partner_trust": pd.Series(partner_trust, dtype=object),
    }, columns=list(COLUMNS))


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # s1, s2, c', b(c', s1), b(c', s2)


def _consumer_blocks(BT, block_entries: int) -> list[tuple[int, int]]:
    """Row ranges of ``BT`` whose pair entries (degree squared) add up to at most
    ``block_entries`` (a consumer with more forms a block of its own)."""
    squares = np.diff(BT.indptr).astype(np.int64) ** 2
    ends = np.cumsum(squares)
    bounds, lo = [], 0
    while lo < len(squares):
        before = ends[lo - 1] if lo else 0
        hi = max(int(np.searchsorted(ends, before + block_entries, side="right")), lo + 1)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def _code_type(n: int) -> type:
    """The integer type of codes below ``n``: 32-bit when they fit (the kept pairs are
    held as codes, and every byte counts millions of times on the l world)."""
    return np.int32 if n <= np.iinfo(np.int32).max else np.int64


def _pairs(BT, lo: int, hi: int) -> Pairs:
    """Every (s1, s2, c', b(c', s1), b(c', s2)) with s1 < s2 both bonded to c', for the
    consumers (rows of ``BT``) ``lo`` to ``hi - 1``; codes in :func:`_code_type`."""
    indptr = BT.indptr[lo:hi + 1].astype(np.int64)
    deg = np.diff(indptr)
    squares = deg * deg
    total = int(squares.sum())
    row = np.repeat(np.arange(len(deg), dtype=np.int64), squares)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(squares) - squares, squares)
    width = np.maximum(deg[row], 1)
    first = indptr[row] + offset // width
    second = indptr[row] + offset % width
    del offset, width
    streamer, consumer = _code_type(BT.shape[1]), _code_type(BT.shape[0])
    s1, s2 = BT.indices[first].astype(streamer), BT.indices[second].astype(streamer)
    upper = s1 < s2
    first, second = first[upper], second[upper]
    return (s1[upper], s2[upper], (row[upper] + lo).astype(consumer), BT.data[first].astype(np.float64),
            BT.data[second].astype(np.float64))


def _group_starts(s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    new_group = np.ones(len(s1), bool)
    new_group[1:] = (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1])
    return new_group


def _keep_best(pairs: Pairs, keep: int) -> Pairs:
    """Per (s1, s2): the ``keep`` best by b·b (the product is the same both ways round), then
    the smallest consumer code (= smallest id); in (s1, s2, rank) order."""
    s1, s2, via, t1, t2 = pairs
    by_product = t1 * t2
    np.negative(by_product, out=by_product)  # in place: one temporary, not two
    order = np.lexsort((via, by_product, s2, s1))
    del by_product
    s1, s2 = s1[order], s2[order]
    starts = np.flatnonzero(_group_starts(s1, s2))
    rank = np.arange(len(s1)) - np.repeat(starts, np.diff(np.append(starts, len(s1))))
    best = rank < keep
    kept = order[best]
    return s1[best], s2[best], via[kept], t1[kept], t2[kept]


class _BestPerPair:
    """The ``keep`` best consumers per pair over blocks of pairs: the best of the union of
    each block's best is the best of all (the order is total: a consumer is in a pair once).
    The parts held are cut again whenever they outgrow what the last cut left (and a block),
    so they stay within about twice the result plus a block. A cut joins the parts one
    column at a time, dropping each column's pieces once joined: the parts and their join
    are never held whole side by side."""

    def __init__(self, keep: int, block_entries: int) -> None:
        self.keep, self.block_entries = keep, block_entries
        self.parts: list[list[np.ndarray]] = []  # lists, so a cut can drop one column's pieces
        self.held = self.after_last_cut = 0

    def add(self, pairs: Pairs) -> None:
        self.parts.append(list(_keep_best(pairs, self.keep)))
        self.held += len(self.parts[-1][0])
        if self.held > 2 * self.after_last_cut + self.block_entries:
            self._cut()

    def result(self) -> Pairs | None:
        """The best per pair in (s1, s2, rank) order; None when no block was added."""
        if not self.parts:
            return None
        self._cut()
        return tuple(self.parts[0])

    def _cut(self) -> None:
        if len(self.parts) > 1:
            joined = []
            for column in range(len(self.parts[0])):
                joined.append(np.concatenate([part[column] for part in self.parts]))
                for part in self.parts:
                    part[column] = None
            self.parts = [list(_keep_best(tuple(joined), self.keep))]
        self.held = self.after_last_cut = len(self.parts[0][0])
