"""Bridges: streamers whose removal would cut the most trusted flow of a factory.

The *trusted flow* of a factory is the sum of the path trusts of every consumer it
reaches (see :mod:`livetrust.graph.paths.reach`)::

    F(f) = Σ_c path_trust(f, c)

Each consumer's best path runs through one streamer (``via_streamer``). For a factory
``f`` and a streamer ``s``:

- ``flow_share = Σ_{c: via(f, c) = s} path_trust(f, c) / F(f)``: the share of the
  factory's trusted flow whose best path runs through ``s``;
- ``flow_lost_if_removed = Σ_{c: via(f, c) = s} (path_trust(f, c) − second(f, c)) / F(f)``:
  the share of ``F(f)`` lost when ``s`` is removed, every consumer falling back to its
  best path through another streamer (``second``, 0 if none). It lies in
  ``[0, flow_share]``: 0 when every consumer has an equally trusted alternative,
  ``flow_share`` when none has any. Removing ``s`` changes nothing for consumers whose
  best path avoids ``s``, so this is exact, not an approximation;
- ``consumers_via``: consumers whose best path runs through ``s``;
- ``consumers_stranded``: of those, consumers left with no path at all;
- ``rank``: 1 = largest ``flow_lost_if_removed`` within the factory (ties: larger
  ``flow_share``, then smaller streamer id).

A factory whose rank-1 bridge has a large ``flow_lost_if_removed`` depends on one
streamer (concentration risk). This is the single-vertex version of the "most vital
node" problem (cf. H. W. Corley and D. Y. Sha, "Most vital links and nodes in weighted
networks", Operations Research Letters 1(4), 1982) for the star-shaped flow from a
factory to its consumers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .index import PathIndex
from .reach import BestPaths, best_path_blocks

COLUMNS = (
    "factory_id", "streamer_id", "flow_share", "flow_lost_if_removed", "consumers_via",
    "consumers_stranded", "rank",
)


def bridges(index: PathIndex, *, paths: BestPaths | None = None) -> pd.DataFrame:
    """One row per (factory, streamer) carrying some consumer's best path.

    Without ``paths`` (a :func:`~.reach.best_paths` result) the pairs are made and summed
    one block of factories at a time (:func:`~.reach.best_path_blocks`).
    """
    blocks = [paths] if paths is not None else best_path_blocks(index)
    return bridge_frame(index, [bridge_rows(index, bp) for bp in blocks])


def bridge_rows(index: PathIndex, bp: BestPaths) -> tuple[np.ndarray, ...]:
    """Per (factory, streamer) of the factories in ``bp``, in (f, s) order.

    Returns (factory, streamer, flow_share, flow_lost_if_removed, consumers_via,
    consumers_stranded). A factory's sums run over its own pairs only, in the same
    order whatever block holds it, so blocks give the same numbers as all pairs at once.
    """
    nF, nS = index.n_factories, index.n_streamers
    total = np.bincount(bp.factory, weights=bp.best, minlength=nF)
    has = (bp.via >= 0) & (bp.best > 0)
    f, s = bp.factory[has], bp.via[has]
    key = f * nS + s
    keys, inverse = np.unique(key, return_inverse=True)
    flow = np.bincount(inverse, weights=bp.best[has], minlength=len(keys))
    lost = np.bincount(inverse, weights=bp.best[has] - bp.second[has], minlength=len(keys))
    via = np.bincount(inverse, minlength=len(keys))
    stranded = np.bincount(inverse, weights=(bp.second[has] <= 0).astype(np.float64), minlength=len(keys))
    kf, ks = keys // nS, keys % nS
    return kf, ks, flow / total[kf], lost / total[kf], via.astype(np.int64), stranded.astype(np.int64)


def bridge_frame(index: PathIndex, parts: Iterable[tuple[np.ndarray, ...]]) -> pd.DataFrame:
    """The ``bridges`` frame of :func:`bridge_rows` parts (blocks of factories in order)."""
    kf, ks, share, lost, via, stranded = (np.concatenate(x) for x in zip(*parts))
    frame = pd.DataFrame({
        "factory_id": index.factory_ids[kf],
        "streamer_id": index.streamer_ids[ks],
        "flow_share": share,
        "flow_lost_if_removed": lost,
        "consumers_via": via,
        "consumers_stranded": stranded,
        "_f": kf,
        "_s": ks,
    })
    frame = frame.sort_values(
        ["_f", "flow_lost_if_removed", "flow_share", "_s"], ascending=[True, False, False, True], kind="stable"
    )
    frame["rank"] = frame.groupby("_f", sort=False).cumcount().astype(np.int64) + 1
    return frame.drop(columns=["_f", "_s"]).reset_index(drop=True)[list(COLUMNS)]
