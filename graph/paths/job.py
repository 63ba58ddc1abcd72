"""The ``livetrust paths`` job: compute the four outputs, write them atomically, write back.

Outputs (files ``NAME.csv`` or ``NAME.parquet`` under ``--out``, plus
``paths_manifest.json`` with the run id, parameters, counts and timings):

- ``factory_channels``: :mod:`livetrust.graph.paths.channels`
- ``factory_reach``:    :mod:`livetrust.graph.paths.reach`
- ``factory_demand``:   :mod:`livetrust.graph.paths.demand`
- ``bridges``:          :mod:`livetrust.graph.paths.bridges`

Every file is written to a temporary file in the same folder and moved into place with
``os.replace``, so a reader never sees a half-written file.

Write-back to Neo4j (:func:`write_channels`): the top ``top_channels`` channels per
factory as ``(:Factory)-[:CHANNEL {rank, flow_score, orders, gmv, return_rate,
share_of_factory_gmv, buyers, run_id}]->(:Streamer)``, through the run-publishing of
:mod:`livetrust.writeback` (job ``paths``): relationships of the new run are written
first, the run is made current in one transaction, then other runs' CHANNELs are deleted.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ... import __version__
from ...files import StagedFiles, arrow_table, stage_frames, update_manifest
from .bridges import bridge_frame, bridge_rows
from .channels import factory_channels
from .co_audience import BOND_WEIGHT as CO_AUDIENCE_BOND_WEIGHT
from .co_audience import KEEP as CO_AUDIENCE_KEEP
from .co_audience import co_audience_chunks
from .demand import factory_demand
from .index import PathIndex, build_index
from .inputs import TrustInputs
from .reach import best_path_blocks, reach_frame, reach_rows

OUTPUTS = ("factory_channels", "factory_reach", "factory_demand", "bridges")
FORMATS = ("csv", "parquet")
JOB = "paths"
MANIFEST = "paths_manifest.json"


def new_run_id(now: datetime | None = None) -> str:
    """``paths-YYYYmmddTHHMMSSZ-xxxxxx``: sortable by start time, unique."""
    now = now or datetime.now(timezone.utc)
    return f"{JOB}-{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}"


@dataclass
class PathsResult:
    """The four output frames of one run, with its id, parameters, timings (seconds) and, once
    written back, what the write-back did (``write_back``: the counts of :func:`~livetrust.writeback.publish_run`)."""

    factory_channels: pd.DataFrame
    factory_reach: pd.DataFrame
    factory_demand: pd.DataFrame
    bridges: pd.DataFrame
    run_id: str
    parameters: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    write_back: dict[str, int] = field(default_factory=dict)  # what publish_run did (counts; Neo4j mode)
    index: PathIndex | None = field(default=None, repr=False)
    input_outcomes: dict[str, Any] | None = None  # embedded mode: what validation did with the folder's rows

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in OUTPUTS}

    def counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.frames().items()}

    @property
    def score_run_id(self) -> str | None:
        """The score run whose bonds the paths follow (None when computed in the run: embedded mode)."""
        return self.index.trust.score_run_id if self.index is not None else None


def compute_paths(
    projection,
    trust: TrustInputs,
    *,
    top_k: int | None = 1000,
    carry_prior: float = 5.0,
    missing_trust: float = 0.5,
    min_bond: float = 0.0,
    run_id: str | None = None,
) -> PathsResult:
    """Channels, reach (top ``top_k`` per factory and kind), demand and bridges.

    Parameters are those of :func:`~livetrust.graph.paths.index.build_index` and
    :func:`~livetrust.graph.paths.reach.factory_reach`.
    """
    clock = _Laps()
    index = build_index(projection, trust, carry_prior=carry_prior, missing_trust=missing_trust, min_bond=min_bond)
    clock.lap("index")
    channels = factory_channels(index)
    clock.lap("channels")
    reach, bridge, spent = _reach_and_bridges(index, top_k)
    clock.split(spent)
    demand = factory_demand(index)
    clock.lap("demand")
    return PathsResult(
        factory_channels=channels, factory_reach=reach, factory_demand=demand, bridges=bridge,
        run_id=run_id or new_run_id(),
        parameters={"top_k": top_k, "carry_prior": carry_prior, "missing_trust": missing_trust, "min_bond": min_bond},
        timings=clock.timings, index=index,
    )


class _Laps:
    """Seconds per step, in order: ``lap(name)`` closes the step that ran since the last one."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._since = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._since, 3)
        self._since = now

    def split(self, seconds: dict[str, float]) -> None:
        """Close interleaved steps that timed themselves (their seconds as given)."""
        self.timings.update((name, round(s, 3)) for name, s in seconds.items())
        self._since = time.perf_counter()


def _reach_and_bridges(index: PathIndex, top_k: int | None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """``factory_reach``, ``bridges`` and the seconds spent, from one pass over the best-path blocks.

    Each block of factories' pairs is ranked and summed, then dropped: all reachable
    pairs at once (97 million on the ``l`` world, where holding them and their sort
    temporaries took RSS from 9 to 23 GB) are never held. The blocks interleave the three
    steps, so the seconds spent making the blocks, ranking and summing are added up per step:
    ``best_paths``, ``reach`` and ``bridges``.
    """
    spent = dict.fromkeys(("best_paths", "reach", "bridges"), 0.0)
    reach_parts, bridge_parts = [], []
    blocks = best_path_blocks(index)
    while True:
        t0 = time.perf_counter()
        block = next(blocks, None)
        t1 = time.perf_counter()
        spent["best_paths"] += t1 - t0
        if block is None:
            break
        reach_parts.append(reach_rows(index, block, top_k))
        t2 = time.perf_counter()
        bridge_parts.append(bridge_rows(index, block))
        spent["reach"] += t2 - t1
        spent["bridges"] += time.perf_counter() - t2
        del block  # before the next one is made
    t0 = time.perf_counter()
    reach = reach_frame(index, reach_parts)
    t1 = time.perf_counter()
    bridge = bridge_frame(index, bridge_parts)
    spent["reach"] += t1 - t0
    spent["bridges"] += time.perf_counter() - t1
    return reach, bridge, spent


def _write_frame(frame: pd.DataFrame, path: Path, file_format: str) -> None:
    if file_format == "csv":
        frame.to_csv(path, index=False, float_format="%.10g")
    else:
        pq.write_table(arrow_table(frame), path)


def stage_outputs(result: PathsResult, out_dir: Path | str, file_format: str = "csv") -> StagedFiles:
    """Write the four outputs as temp files beside their targets (Neo4j mode: before the switch,
    so that putting them in place after it is only renames)."""
    if file_format not in FORMATS:
        raise ValueError(f"file format must be one of {', '.join(FORMATS)}")
    return stage_frames(result.frames(), out_dir, file_format, partial(_write_frame, file_format=file_format))


def commit_outputs(staged: StagedFiles, result: PathsResult) -> list[Path]:
    """Rename the staged files over their targets, then write ``paths_manifest.json`` (last);
    returns the files."""
    staged.commit(staged.out / MANIFEST, {
        "job": JOB,
        "run_id": result.run_id,
        "score_run_id": result.score_run_id,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "format": staged.file_format,
        "parameters": result.parameters,
        "outputs": staged.outputs,
        **({"input_outcomes": result.input_outcomes} if result.input_outcomes is not None else {}),
        "output_counts": result.counts(),
        "timings_s": {name: round(seconds, 3) for name, seconds in result.timings.items()},  # write-back steps too
        "write_back": result.write_back,
        "files": [target.name for _tmp, target in staged.files],
        "livetrust_version": __version__,
    })
    return [*(target for _tmp, target in staged.files), staged.out / MANIFEST]


def write_outputs(result: PathsResult, out_dir: Path | str, file_format: str = "csv") -> list[Path]:
    """Write the four outputs and ``paths_manifest.json`` into ``out_dir``; returns the files."""
    staged = stage_outputs(result, out_dir, file_format)
    try:
        return commit_outputs(staged, result)
    except BaseException:
        staged.discard()  # what was not renamed yet; the renamed ones are in place, without a new manifest
        raise


def report_cleanup(result: PathsResult, out_dir: Path | str) -> None:
    """Add what the write-back's cleanup did (``timings_s``, ``write_back``) to the manifest
    :func:`write_outputs` wrote at the switch (Neo4j mode: ``write_channels``' ``after_cleanup``)."""
    update_manifest(Path(out_dir) / MANIFEST, {
        "timings_s": {name: round(seconds, 3) for name, seconds in result.timings.items()},
        "write_back": result.write_back,
    })


def channel_rows(channels: pd.DataFrame, top: int = 10) -> list[dict[str, Any]]:
    """Rows for ``paths/channels_create``: the top ``top`` channels of every factory."""
    best = channels[channels["rank"] <= top]
    props = ["rank", "flow_score", "orders", "gmv", "return_rate", "share_of_factory_gmv", "buyers"]
    rows = []
    for record in best[["factory_id", "streamer_id", *props]].to_dict("records"):
        rows.append({
            "factory_id": str(record["factory_id"]),
            "streamer_id": str(record["streamer_id"]),
            "props": {k: (record[k].item() if hasattr(record[k], "item") else record[k]) for k in props},
        })
    return rows


def carry_counts(index: PathIndex) -> pd.DataFrame:
    """Orders, units and returned units of every (streamer, product) pair with sales."""
    coo = index.PS_orders.tocoo()
    rows, cols = coo.row, coo.col

    def at(matrix) -> np.ndarray:
        return np.rint(np.asarray(matrix.tocsr()[rows, cols]).ravel()).astype(np.int64)

    return pd.DataFrame({
        "streamer_id": index.streamer_ids[cols].astype(str), "product_id": index.product_ids[rows].astype(str),
        "orders": np.rint(coo.data).astype(np.int64), "units": at(index.PS_units),
        "returned_units": at(index.PS_returned),
    })


def write_channels(driver, database: str, result: PathsResult, *, top: int = 10, input_counts: dict | None = None,
                   read_at: datetime | None = None, after_publish: Callable[[], None] | None = None,
                   after_cleanup: Callable[[], None] | None = None) -> str | None:
    """Write the top channels of ``result`` back to Neo4j as CHANNEL relationships.

    With ``read_at`` (when the job began reading the graph), also store :func:`carry_counts`
    on the CARRIES relationships (``paths/carries_counts``). Returns the id of the ``paths``
    run it replaced (None for the first run).
    """
    from ...writeback import RelationshipBatch, RunRecord, publish_run

    record = RunRecord(
        job=JOB, run_id=result.run_id,
        parameters={**result.parameters, "top_channels": top, "score_run_id": result.score_run_id},
        input_counts=dict(input_counts or {}), output_counts=result.counts(), started_at=read_at,
    )
    batches = [RelationshipBatch("paths/channels_create", "paths/channels_cleanup", channel_rows(result.factory_channels, top))]
    if read_at is not None and result.index is not None:  # counts outlive runs: nothing to clean up
        batches.append(RelationshipBatch("paths/carries_counts", None,
                                         carry_counts(result.index).assign(counted_at=read_at)))
    score_run_id = result.score_run_id
    if score_run_id is not None:  # explain's index is only usable against the bonds it was built from
        nodes, shares = co_audience_rows(result.index, score_run_id)
        batches.append(RelationshipBatch("paths/co_audience_create", "paths/co_audience_cleanup", nodes,
                                         batch_size=CO_AUDIENCE_BATCH))
        batches.append(RelationshipBatch("paths/co_audience_shares", None, shares))  # cleaned with their nodes
    return publish_run(driver, database, record, relationships=batches, timings=result.timings,
                       counts=result.write_back, after_publish=after_publish, after_cleanup=after_cleanup)


# CoAudience nodes hold a few properties each; their SHARES relationships go in batches of publish_run's size.
CO_AUDIENCE_BATCH = 5_000


def co_audience_rows(index: PathIndex, score_run_id: str,
                     keep: int = CO_AUDIENCE_KEEP) -> tuple[list[dict[str, Any]], Callable[[], Iterator[pd.DataFrame]]]:
    """Rows for ``paths/co_audience_create`` (one per bonded streamer) and ``paths/co_audience_shares``
    (one per streamer pair; see :mod:`.co_audience`). The pairs come as a function that makes
    them in chunks, each written while the next is made: on the l world the whole table's
    lists took the job from 12.6 to 16.3 GB."""
    bonded = np.flatnonzero(np.diff(index.B.indptr) > 0)
    nodes = [{"streamer_id": str(s), "score_run_id": score_run_id, "keep": keep, "min_bond": float(index.min_bond),
              "bond_weight": CO_AUDIENCE_BOND_WEIGHT} for s in index.streamer_ids[bonded]]
    return nodes, partial(co_audience_chunks, index, keep=keep)
