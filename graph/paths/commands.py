"""What ``livetrust paths`` and ``livetrust paths explain`` do (the CLI in ``livetrust.cli`` only parses).

- Embedded mode (``--data DIR``): the projection comes from the folder through the
  loaders' validation and the trust scores from the trust model; nothing is written to
  Neo4j.
- Neo4j mode: the projection and the scores of the current ``score`` run come from
  Neo4j; the top channels are written back as ``CHANNEL`` relationships. ``explain``
  answers with the Cypher of ``queries/paths/most_trusted_path.cypher`` (indexed point
  lookups, no projection needed).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from ...errors import LivetrustError
from ...files import writable_folder
from .explain import explain_paths, render
from .index import build_index
from .inputs import trust_inputs_from_model, trust_inputs_from_neo4j
from .job import commit_outputs, compute_paths, report_cleanup, stage_outputs, write_channels, write_outputs


def _embedded_inputs(data_dir: Path, job: str | None = None):
    """The projection and trust model of a folder; ``job`` (the run's verb) refuses a folder with
    nothing to compute from before it writes anything (``explain`` writes nothing: no check)."""
    from ..projection import Projection

    projection = Projection.from_folder(data_dir)
    if job is not None:
        projection.require_activity(job, follows_suffice=False, folder=data_dir)
    return projection, trust_inputs_from_model(projection)


def run_job(
    *, data_dir: Path | None, out_dir: Path | None, file_format: str, top_k: int | None, top_channels: int,
    carry_prior: float, min_bond: float, settings=None,
) -> str:
    """Run the job; returns the summary printed by the CLI."""
    if data_dir is None and settings is None:
        raise LivetrustError("give --data DIR (embedded mode) or Neo4j connection settings")
    if data_dir is not None and out_dir is None:
        raise LivetrustError("embedded mode (--data) writes files only: give --out DIR")
    if data_dir is None and top_channels == 0 and out_dir is None:
        raise LivetrustError("--top-channels 0 writes nothing back to Neo4j: give --out DIR for the files")
    if out_dir is not None:
        writable_folder(out_dir, "--out")  # before anything is computed or written back
    started = time.perf_counter()
    params = dict(top_k=top_k, carry_prior=carry_prior, min_bond=min_bond)
    lines, files = [], []

    def write_files() -> None:  # embedded mode, or Neo4j mode without a write-back
        files[:] = write_outputs(result, out_dir, file_format)

    if data_dir is not None:
        projection, trust = _embedded_inputs(data_dir, "analyse")
        result = compute_paths(projection, trust, **params)
        result.input_outcomes = projection.input_outcomes
        if note := projection.input_note(data_dir):
            lines.append(note)
    else:
        from ...db import connect
        from ...joblock import refuse_if_busy
        from ..projection import Projection

        with connect(settings) as driver:
            if top_channels > 0:  # refuse at once while another paths run writes, not after the read
                refuse_if_busy(driver, settings.database, "paths")
            read_at = datetime.now(timezone.utc)
            projection = Projection.from_neo4j(driver, settings.database)
            projection.require_activity("analyse", follows_suffice=False)
            trust = trust_inputs_from_neo4j(driver, settings.database)
            result = compute_paths(projection, trust, **params)
            result.parameters["top_channels"] = top_channels  # in the manifest too
            if top_channels > 0:
                # the files are written before the switch and renamed into place right after it, before
                # a stop can land between (a failed write-back leaves the previous files as they were)
                staged = None
                try:
                    staged = stage_outputs(result, out_dir, file_format) if out_dir is not None else None
                    write_channels(driver, settings.database, result, top=top_channels,
                                   input_counts=dict(projection.counts), read_at=read_at,
                                   after_publish=(lambda: files.extend(commit_outputs(staged, result)))
                                   if staged is not None else None,
                                   after_cleanup=partial(report_cleanup, result, out_dir) if staged is not None else None)
                finally:
                    if staged is not None and not files:
                        staged.discard()
                lines.append(f"  wrote the top {top_channels} channels per factory to Neo4j as CHANNEL relationships")
            else:
                lines.append("  nothing written back to Neo4j (--top-channels 0): its current paths run stays current")
    if out_dir is not None:
        if not files:
            write_files()
        lines.append(f"  files: {', '.join(str(p) for p in files)}")
    counts = ", ".join(f"{name} {n:,d}" for name, n in result.counts().items())
    head = f"paths run {result.run_id}: {counts} rows in {time.perf_counter() - started:.1f} s"
    return "\n".join([head, *lines])


def explain_pair(
    *, factory_id: str, consumer_id: str, top: int, max_hops: int, data_dir: Path | None, carry_prior: float,
    min_bond: float, settings=None,
) -> str:
    """The text of ``livetrust paths explain``."""
    if data_dir is not None:
        projection, trust = _embedded_inputs(data_dir)
        index = build_index(projection, trust, carry_prior=carry_prior, min_bond=min_bond)
        try:
            paths = explain_paths(index, factory_id, consumer_id, top, max_hops=max_hops)
        except KeyError as err:
            raise LivetrustError(err.args[0]) from None
        return render(paths, factory_id, consumer_id, max_hops)

    from ...db import connect
    from . import cypher

    with connect(settings) as driver:
        from ...writeback import current_run_id

        if current_run_id(driver, settings.database, "score") is None:
            raise LivetrustError("Neo4j holds no trust scores yet: run `livetrust score` first")
        found = cypher.run(driver, settings.database, "pair_exists", factory_id=factory_id, consumer_id=consumer_id)
        row = found.iloc[0]
        if not row["factory_found"]:
            raise LivetrustError(f"unknown factory {factory_id!r}")
        if not row["consumer_found"]:
            raise LivetrustError(f"unknown consumer {consumer_id!r}")
        paths = cypher.top_paths(driver, settings.database, factory_id, consumer_id, top, max_hops=max_hops,
                                 carry_prior=carry_prior, min_bond=min_bond)
    return render(paths, factory_id, consumer_id, max_hops)
