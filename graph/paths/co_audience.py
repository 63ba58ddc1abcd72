"""Co-audience index: for every ordered streamer pair, the consumers bonded to both, best first.

A shared-streamer path ``c → s1 ← c' → s2 → p → f`` (see :mod:`.most_trusted`) has trust
``b(c, s1) · b(c', s1) · b(c', s2) · κ(s2, p)``. For a fixed pair ``(s1, s2)`` the best
intermediate consumers ``c'`` are those with the largest ``b(c', s1) · b(c', s2)``,
whatever the consumer ``c`` and the factory. Answering one pair live means reading the
audiences of the consumer's streamers and every bond of those audiences (in the ``m``
world, 1.5M bonds for a consumer who follows hubs, 11-16 s in Cypher); answering it from
this index means reading a few lists per streamer of the consumer.

For every streamer ``s1`` with bonds, :func:`co_audience` lists every partner ``s2 ≠ s1``
that shares a bonded consumer (``partner_ids``, sorted), and per partner its ``keep`` best
consumers ``c'`` by ``b(c', s1) · b(c', s2)`` (ties: smallest consumer id) as three
parallel entry lists ``vias`` (c' ids), ``via_trust`` (``b(c', s1)``) and ``partner_trust``
(``b(c', s2)``): partner ``k``'s entries are ``partner_offsets[k]`` up to
``partner_offsets[k + 1]`` (a reader filters the few thousand partners, not every entry). ``keep`` best per
pair are enough for the ``top < keep`` most trusted paths of any consumer (at most one
of them is the consumer itself). Bonds are those of the path index: trust > 0 and at
least ``min_bond``.

The paths job writes it to Neo4j as ``(:CoAudience)`` nodes stamped with its run and the
score run of the bonds (``queries/paths/co_audience_create.cypher``);
``queries/paths/most_trusted_path.cypher`` reads it when it matches the bonds asked for.

Examples
--------
>>> table = co_audience(index, keep=8)
>>> table.columns.tolist()
['streamer_id', 'partner_ids', 'partner_offsets', 'vias', 'via_trust', 'partner_trust']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .index import PathIndex

KEEP = 8

COLUMNS = ("streamer_id", "partner_ids", "partner_offsets", "vias", "via_trust", "partner_trust")


def _ordered_pairs(BT) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (s1, s2, c', b(c', s1), b(c', s2)) with s1 ≠ s2 both bonded to c' (rows of ``BT``)."""
    deg = np.diff(BT.indptr).astype(np.int64)
    squares = deg * deg
    total = int(squares.sum())
    consumer = np.repeat(np.arange(len(deg), dtype=np.int64), squares)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(squares) - squares, squares)
    width = deg[consumer]
    first = BT.indptr[consumer] + offset // np.maximum(width, 1)
    second = BT.indptr[consumer] + offset % np.maximum(width, 1)
    distinct = first != second
    first, second, consumer = first[distinct], second[distinct], consumer[distinct]
    return (BT.indices[first].astype(np.int64), BT.indices[second].astype(np.int64), consumer,
            BT.data[first].astype(np.float64), BT.data[second].astype(np.float64))


def co_audience(index: PathIndex, keep: int = KEEP) -> pd.DataFrame:
    """The co-audience lists of every streamer with bonds (columns: :data:`COLUMNS`).

    Parameters
    ----------
    index : PathIndex
        Its ``BT`` (consumer × streamer bond trust) holds the bonds.
    keep : int, default 8
        Consumers kept per ordered streamer pair.

    Returns
    -------
    pandas.DataFrame
        One row per streamer with at least one bond (empty lists when it shares no
        consumer with another streamer), in streamer id order.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    s1, s2, via, t1, t2 = _ordered_pairs(index.BT.tocsr())
    value = t1 * t2
    # per (s1, s2): best value first, then the smallest consumer code (= smallest id)
    order = np.lexsort((via, -value, s2, s1))
    s1, s2, via, t1, t2 = s1[order], s2[order], via[order], t1[order], t2[order]
    new_group = np.ones(len(s1), bool)
    new_group[1:] = (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1])
    starts = np.flatnonzero(new_group)
    rank = np.arange(len(s1)) - np.repeat(starts, np.diff(np.append(starts, len(s1))))
    kept = rank < keep
    s1, s2, via, t1, t2 = s1[kept], s2[kept], via[kept], t1[kept], t2[kept]
    heads = np.flatnonzero(rank[kept] == 0)  # each (s1, s2) group's first entry: partner list and offsets

    bonded = np.flatnonzero(np.diff(index.B.indptr) > 0)
    bounds = np.searchsorted(s1, np.append(bonded, index.n_streamers))
    sids, cids = index.streamer_ids, index.consumer_ids
    head_bounds = np.searchsorted(s1[heads], np.append(bonded, index.n_streamers))
    partner_ids, vias = sids[s2[heads]].tolist(), cids[via].tolist()
    heads, t1, t2 = heads.tolist(), t1.tolist(), t2.tolist()
    rows = {name: [] for name in COLUMNS}
    for k, s in enumerate(bonded.tolist()):
        lo, hi = bounds[k], bounds[k + 1]
        h_lo, h_hi = head_bounds[k], head_bounds[k + 1]
        rows["streamer_id"].append(str(sids[s]))
        rows["partner_ids"].append(partner_ids[h_lo:h_hi])
        rows["partner_offsets"].append([h - lo for h in heads[h_lo:h_hi]] + [hi - lo])
        rows["vias"].append(vias[lo:hi])
        rows["via_trust"].append(t1[lo:hi])
        rows["partner_trust"].append(t2[lo:hi])
    return pd.DataFrame(rows, columns=list(COLUMNS))
