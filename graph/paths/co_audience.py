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

import numpy as np
import pandas as pd

from .index import PathIndex

KEEP = 8

COLUMNS = ("streamer_id", "partner_id", "vias", "via_trust", "partner_trust")


def _pairs(BT) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (s1, s2, c', b(c', s1), b(c', s2)) with s1 < s2 both bonded to c' (rows of ``BT``)."""
    deg = np.diff(BT.indptr).astype(np.int64)
    squares = deg * deg
    total = int(squares.sum())
    consumer = np.repeat(np.arange(len(deg), dtype=np.int64), squares)
    offset = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(squares) - squares, squares)
    width = deg[consumer]
    first = BT.indptr[consumer] + offset // np.maximum(width, 1)
    second = BT.indptr[consumer] + offset % np.maximum(width, 1)
    s1, s2 = BT.indices[first].astype(np.int64), BT.indices[second].astype(np.int64)
    upper = s1 < s2
    first, second, consumer = first[upper], second[upper], consumer[upper]
    return (s1[upper], s2[upper], consumer, BT.data[first].astype(np.float64), BT.data[second].astype(np.float64))


def co_audience(index: PathIndex, keep: int = KEEP) -> pd.DataFrame:
    """The co-audience lists of every streamer pair that shares a bonded consumer.

    Parameters
    ----------
    index : PathIndex
        Its ``BT`` (consumer × streamer bond trust) holds the bonds.
    keep : int, default 8
        Consumers kept per streamer pair.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per unordered pair (``streamer_id`` has the smaller
        streamer code of the index), in (streamer, partner) code order.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    s1, s2, via, t1, t2 = _pairs(index.BT.tocsr())
    # per (s1, s2): best b·b first (the product is the same both ways round), then the smallest
    # consumer code (= smallest id)
    order = np.lexsort((via, -(t1 * t2), s2, s1))
    s1, s2, via, t1, t2 = s1[order], s2[order], via[order], t1[order], t2[order]
    new_group = np.ones(len(s1), bool)
    new_group[1:] = (s1[1:] != s1[:-1]) | (s2[1:] != s2[:-1])
    starts = np.flatnonzero(new_group)
    rank = np.arange(len(s1)) - np.repeat(starts, np.diff(np.append(starts, len(s1))))
    kept = rank < keep
    s1, s2, via, t1, t2 = s1[kept], s2[kept], via[kept], t1[kept], t2[kept]
    heads = np.flatnonzero(rank[kept] == 0)
    bounds = list(zip(heads.tolist(), np.append(heads[1:], len(s1)).tolist()))
    sids = index.streamer_ids

    def lists(values: list) -> list[list]:
        return [values[lo:hi] for lo, hi in bounds]

    return pd.DataFrame({
        "streamer_id": sids[s1[heads]].astype(str), "partner_id": sids[s2[heads]].astype(str),
        "vias": lists(index.consumer_ids[via].astype(str).tolist()),
        "via_trust": lists(t1.tolist()), "partner_trust": lists(t2.tolist()),
    }, columns=list(COLUMNS))
