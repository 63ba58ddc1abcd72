"""The scoring job: read a projection, compute the scores, write files, write back.

``livetrust score`` and ``livetrust schedule`` run :func:`run_score_job`; its four
steps are separate functions so each can be reused and tested alone:

1. :func:`read_projection` -- from a contract folder (embedded mode, through the
   loaders' validation: ``Projection.from_folder``) or from Neo4j
   (``Projection.from_neo4j``);
2. :func:`compute_scores` -- :class:`~livetrust.graph.trust.TrustModel`;
3. :func:`write_files` -- the four files and ``score_manifest.json`` (:mod:`.io`);
4. :func:`write_back` -- the scores into Neo4j, stamped with the run id
   (``livetrust.writeback.publish_run``).

In Neo4j mode steps 3 and 4 overlap: a thread writes the files to temp files while the
bonds are written; the run is published once both are done, and only then do the files
replace the previous ones (manifest last). A failure of either leaves the previous files
and the previous Neo4j run in place.

Every run gets an id and a record (start, end, parameters, input counts, status),
appended to ``score_history.jsonl`` beside the files whether the run succeeds or not.
"""

from __future__ import annotations

import secrets
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

import pandas as pd

from ... import __version__
from ...errors import Busy, one_line
from ...files import StagedFiles, update_manifest, writable_folder
from ...joblock import JobLockBusy
from ..projection import Projection
from . import io
from .digests import streamer_digests
from .model import OUTPUTS, TrustModel

JOB = "score"


def new_run_id(now: datetime | None = None) -> str:
    """``score-YYYYmmddTHHMMSSZ-xxxxxx`` (sortable by time, unique by the random suffix)."""
    now = now or datetime.now(timezone.utc)
    return f"{JOB}-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class ScoreRun:
    """What one run did; ``record()`` is the run-history entry."""

    run_id: str
    started_at: datetime
    parameters: dict[str, Any]
    source: str
    finished_at: datetime | None = None
    status: str = "running"
    error: str | None = None
    input_counts: dict[str, int] = field(default_factory=dict)
    output_counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    write_back: dict[str, int] = field(default_factory=dict)  # what publish_run did (counts)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    out_dir: Path | None = None
    manifest: dict[str, Any] | None = None
    model: TrustModel | None = None
    input_outcomes: dict[str, Any] | None = None  # embedded mode: what validation did with the rows
    input_note: str | None = None  # the summary's line when validation kept rows out

    def record(self) -> dict[str, Any]:
        return {
            "job": JOB,
            "run_id": self.run_id,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at) if self.finished_at else None,
            "source": self.source,
            "parameters": self.parameters,
            "input_counts": self.input_counts,
            **({"input_outcomes": self.input_outcomes} if self.input_outcomes is not None else {}),
            "output_counts": self.output_counts,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "write_back": self.write_back,
            "diagnostics": self.diagnostics,
            "error": self.error,
            "livetrust_version": __version__,
        }

    def summary(self) -> str:
        head = f"score run {self.run_id}: {self.status}"
        if self.status != "succeeded":
            return f"{head}: {self.error}"
        counts = ", ".join(f"{k} {v:,d}" for k, v in self.output_counts.items())
        end = self.finished_at or datetime.now(timezone.utc)
        lines = [f"{head} in {(end - self.started_at).total_seconds():.1f} s ({counts})"]
        if self.input_note:
            lines.append(self.input_note)
        if thin := thin_evidence(self.diagnostics.get("order_evidence")):
            lines.append(thin)
        if self.out_dir is not None:
            lines.append(f"  files: {self.out_dir} ({io.MANIFEST})")
        return "\n".join(lines)


THIN_EVIDENCE = 0.05  # mean weight of an order below which the summary warns


def thin_evidence(evidence: dict[str, float | None] | None) -> str | None:
    """The summary's warning when the orders carry almost no evidence (the scores are then close
    to their priors), naming the factor that took the weight away; None otherwise."""
    if not evidence or evidence.get("weight") is None or evidence["weight"] >= THIN_EVIDENCE:
        return None
    causes = {"recency": "the orders are old for --half-life-days",
              "credibility": "the buyers' accounts look new or suspect, e.g. registered just before they act",
              "maturity": "the orders are still inside their return window",
              "cap": "a buyer's many orders at one streamer count as a few"}
    factor = min((k for k in causes if evidence.get(k) is not None), key=lambda k: evidence[k])
    return (f"  warning: an order carries {evidence['weight']:.1%} of full evidence on average: the scores stay "
            f"close to their priors; lowest factor {factor} {evidence[factor]:.1%} ({causes[factor]})")


def read_projection(source: Any, settings: Any = None) -> Projection:
    """The projection to score: ``source`` is a contract folder, a ``Projection``, or None (Neo4j)."""
    if isinstance(source, Projection):
        return source
    if source is not None:
        return Projection.from_folder(Path(source))
    if settings is None:
        raise ValueError("no data folder and no Neo4j settings: nothing to read")
    from ...db import connect
    from ...joblock import refuse_if_busy

    with connect(settings) as driver:
        # the job writes back what it reads from Neo4j: refuse at once while another score run
        # writes, not after the read and the fit
        refuse_if_busy(driver, settings.database, "score")
        return Projection.from_neo4j(driver, settings.database)


def compute_scores(projection: Projection, params: dict[str, Any] | None = None) -> TrustModel:
    """Fit the trust model on ``projection``."""
    return TrustModel(**(params or {})).fit(projection)


def _manifest_record(model: TrustModel, run: ScoreRun) -> dict[str, Any]:
    record = run.record()
    record.update(status="succeeded", finished_at=_iso(datetime.now(timezone.utc)),
                  output_counts={name: len(model.results_[name]) for name in OUTPUTS})
    return record


def write_files(model: TrustModel, out_dir: str | Path, file_format: str, run: ScoreRun) -> dict[str, Any]:
    """Write the four score files and the manifest (atomically; see :mod:`.io`)."""
    return io.write_outputs({name: model.results_[name] for name in OUTPUTS}, out_dir, file_format,
                            _manifest_record(model, run))


def _stage_files(model: TrustModel, out_dir: str | Path, file_format: str, run: ScoreRun) -> StagedFiles:
    """The four score files as temp files beside their targets (Neo4j mode: committed after publishing)."""
    t0 = time.perf_counter()
    staged = io.stage_outputs({name: model.results_[name] for name in OUTPUTS}, out_dir, file_format)
    run.timings["write_files"] = time.perf_counter() - t0
    return staged


def _discard_staged(staging: Future) -> None:
    """After a failed write-back: wait for the staging thread, then drop its temp files."""
    try:
        staged = staging.result()
    except BaseException:  # noqa: BLE001 - staging cleans up after its own failure
        return
    staged.discard()


# Node scores: one (:Streamer)-[:STREAMER_SCORE]->(:JobRun) per scored node and run (PRODUCT_SCORE,
# FACTORY_SCORE for the others: one type per kind, so a reader of one kind expands only its own),
# with ``trust``, ``trust_confidence`` (as on the node's row; ``confidence`` is the bond's),
# the interval and every component under its own name. Relationships, not node properties, so
# that the switch to the new run commits no per-node change (bench/results/score.md).
NODE_WRITES = {
    "streamers": ("streamer_id", "writeback/streamer_scores"),
    "products": ("product_id", "writeback/product_scores"),
    "factories": ("factory_id", "writeback/factory_scores"),
}


SCORES_CLEANUP = "writeback/scores_cleanup"
SCORE_BATCH = 5_000  # scores per transaction (some 40 properties each)
DIGEST_STATEMENT = "writeback/streamer_digests"
# Digests per transaction: each carries lists (100 consumer ids, weekly roll-ups)
DIGEST_BATCH = 1_000

# Bonds go as one list per column per batch (no dict per row); the statement names every
# column it is sent (checked before writing). Both ends are sent as element ids
# (``node_element_ids``), found by NodeByElementIdSeek instead of two index seeks per bond.
# Each bond overwrites its pair's TRUSTS of the run before the current one in place (the
# cleanup keeps that generation as stock), so a rerun neither creates nor deletes much.
BOND_STATEMENT = "writeback/trusts_write_columns"
# Without stock (the first two runs of a graph) bonds are only created: see bond_stock.cypher.
BOND_CREATE_STATEMENT = "writeback/trusts_create_columns"
BOND_STOCK = "writeback/bond_stock"
WRITERS = 2  # one batch is encoded by the driver while Neo4j commits the previous one
# What a TRUSTS relationship keeps besides run_id: the components the queries read
# (queries/library, queries/paths; the recommend job reads consumer_credibility). The rest of the bond table
# (prior, positive/negative evidence, unfollowed, gmv, last_order_days, lockstep_partners) is in
# the consumer_streamer file: every property costs create and delete time (m world, 1.79M bonds).
BOND_PROPERTIES = ("trust", "confidence", "following", "followed_days", "orders", "units",
                   "returned_units", "repeat_buyer", "consumer_credibility")
BOND_NODES = {"consumer_node": ("consumer_id", "Consumer"), "streamer_node": ("streamer_id", "Streamer")}


def _check_bond_columns(columns) -> None:
    """Every column sent to ``BOND_STATEMENT`` must be written by it."""
    from ...queries import cypher_statement

    for statement in (BOND_STATEMENT, BOND_CREATE_STATEMENT):
        text = cypher_statement(statement)
        missing = [c for c in columns if f"$columns.{c}[i]" not in text]
        if missing:
            raise ValueError(f"{statement}.cypher does not write the bond columns {missing}")


def bond_columns(driver: Any, database: str | None, bonds: pd.DataFrame) -> pd.DataFrame:
    """The bonds as ``BOND_STATEMENT`` takes them: both ends' element ids, then ``BOND_PROPERTIES``.

    A bond whose consumer or streamer is not in the graph gets a null id (and is skipped,
    as an index seek that finds nothing would be).
    """
    from ...writeback import element_id_columns, node_element_ids

    frame = element_id_columns(bonds, BOND_NODES, node_element_ids(driver, database))
    for column in BOND_PROPERTIES:
        frame[column] = bonds[column].to_numpy()
    _check_bond_columns(frame.columns)
    return frame


def bond_statement(driver: Any, database: str | None) -> str:
    """``BOND_STATEMENT`` when earlier runs left bonds to overwrite, else ``BOND_CREATE_STATEMENT``."""
    from ...writeback import stock_statement

    return stock_statement(driver, database, BOND_STOCK, BOND_STATEMENT, BOND_CREATE_STATEMENT)


def write_back(model: TrustModel, settings: Any, run: ScoreRun, digests: pd.DataFrame | None = None,
               before_publish: Callable[[], None] | None = None,
               after_publish: Callable[[], None] | None = None,
               after_cleanup: Callable[[], None] | None = None) -> str | None:
    """Publish the scores to Neo4j under ``run.run_id``; readers switch runs atomically.

    Bonds become ``TRUSTS`` relationships and node scores ``STREAMER_SCORE`` / ``PRODUCT_SCORE`` /
    ``FACTORY_SCORE`` relationships to the
    run's ``JobRun``, both ignored by readers until the run is current; the streamer digests
    (:mod:`.digests`) are stamped with the run; then one small transaction makes the run
    current (:func:`livetrust.writeback.publish_run`). ``before_publish`` runs just
    before the switch; if it raises, the run fails and the previous one stays current.
    ``after_publish`` runs once the run is current (the job puts its files in place there;
    a stop waits for it, so Neo4j and the files name the same run); ``after_cleanup`` once the
    replaced runs' relationships are cleaned up (the job reports that in its manifest).
    Returns the run id this run replaced.
    """
    from ...db import connect
    from ...writeback import NodeUpdate, RelationshipBatch, RunRecord, frame_to_rows, publish_run

    t0 = time.perf_counter()
    scores = []
    for output, (key, statement) in NODE_WRITES.items():
        frame = model.results_[output].rename(columns={key: "id", "confidence": "trust_confidence"})
        frame = frame.drop(columns=[c for c in ("factory_id",) if c in frame.columns])
        scores.append(RelationshipBatch(statement, SCORES_CLEANUP, frame_to_rows(frame, ["id"]), batch_size=SCORE_BATCH))
    nodes = []
    if digests is not None:
        nodes.append(NodeUpdate(DIGEST_STATEMENT, frame_to_rows(digests.rename(columns={"streamer_id": "id"}), ["id"]),
                                batch_size=DIGEST_BATCH))
    bonds = model.results_["consumer_streamer"]
    missing = [c for c in (*(key for key, _ in BOND_NODES.values()), *BOND_PROPERTIES) if c not in bonds.columns]
    if missing:
        raise ValueError(f"the bond table lacks the columns {missing} that {BOND_STATEMENT}.cypher writes")
    record = RunRecord(
        job=JOB, run_id=run.run_id, parameters=run.parameters,
        input_counts=run.input_counts, output_counts=run.output_counts, started_at=run.started_at,
    )
    steps: dict[str, float] = {}

    def with_timings(then: Callable[[], None] | None) -> Callable[[], None]:
        """The write-back's step timings so far into the run's (its files and manifest report
        them), then ``then``: at the switch the caller's files, after the cleanup its manifest."""
        def step() -> None:
            run.timings.update({f"write_back.{k}": v for k, v in steps.items()})
            if then is not None:
                then()
        return step

    try:
        with connect(settings) as driver:
            columns = bond_columns(driver, settings.database, bonds)
            statement = bond_statement(driver, settings.database)
            run.timings["write_back.rows"] = time.perf_counter() - t0
            return publish_run(
                driver, settings.database, record,
                relationships=[*scores, RelationshipBatch(statement, "writeback/trusts_cleanup", columns, keeps_stock=True)],
                node_updates=nodes, writers=WRITERS, timings=steps, counts=run.write_back, before_publish=before_publish,
                after_publish=with_timings(after_publish), after_cleanup=with_timings(after_cleanup),
            )
    finally:
        with_timings(None)()


def run_score_job(projection_source: Any, out_dir: str | Path | None, file_format: str = "csv",
                  params: dict[str, Any] | None = None, settings: Any = None, *, raise_errors: bool = True) -> ScoreRun:
    """One scoring run: read, compute, write files (if ``out_dir``), write back (Neo4j mode).

    Parameters
    ----------
    projection_source : path, Projection or None
        A contract folder (embedded mode), a ready projection, or None to read Neo4j.
    out_dir : path, optional
        Where the score files and manifest go (required in embedded mode).
    file_format : "csv" or "parquet"
    params : dict
        ``TrustModel`` parameters (``half_life_days`` ...).
    settings : Neo4jSettings, optional
        Neo4j connection (read when ``projection_source`` is None; write-back).
    raise_errors : bool
        Re-raise a failure after recording it (default); else return the failed run.

    Returns
    -------
    ScoreRun
    """
    embedded = projection_source is not None
    if embedded and out_dir is None:
        from ...errors import LivetrustError

        raise LivetrustError("embedded mode (--data) writes files only: give --out DIR")
    model_params = TrustModel(**(params or {})).get_params()
    source = "projection" if isinstance(projection_source, Projection) else (
        str(projection_source) if embedded else "neo4j")
    run = ScoreRun(run_id=new_run_id(), started_at=datetime.now(timezone.utc), parameters=model_params,
                   source=source, out_dir=Path(out_dir) if out_dir is not None else None)
    try:
        t0 = time.perf_counter()
        projection = read_projection(projection_source, settings)
        run.timings["read"] = time.perf_counter() - t0
        run.input_counts = {name: int(len(frame)) for name, frame in projection.tables().items()}
        if embedded and not isinstance(projection_source, Projection):
            run.input_outcomes = projection.input_outcomes
            run.input_note = projection.input_note(projection_source)
        projection.require_activity("score", folder=projection_source if embedded and not isinstance(
            projection_source, Projection) else None)
        t0 = time.perf_counter()
        model = compute_scores(projection, model_params)
        run.timings["compute"] = time.perf_counter() - t0
        run.timings.update({f"compute.{k}": v for k, v in model.timings_.items()})
        run.diagnostics = dict(model.diagnostics_)
        run.model = model
        run.output_counts = {name: int(len(model.results_[name])) for name in OUTPUTS}
        if out_dir is not None and embedded:
            t0 = time.perf_counter()
            run.manifest = write_files(model, out_dir, file_format, run)
            run.timings["write_files"] = time.perf_counter() - t0
        if not embedded:
            t0 = time.perf_counter()
            digests = streamer_digests(projection, model.results_["consumer_streamer"])
            digests["digest_read_at"] = run.started_at  # the trend is stale once a later load adds rows
            run.timings["digests"] = time.perf_counter() - t0
            # The files are staged (temp files) by a thread while the bonds are written; the
            # switch waits for them, and they replace the previous files only once the run
            # is published, so a failure on either side leaves both previous results in place.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="score-files") as pool:
                staging = pool.submit(_stage_files, model, out_dir, file_format, run) if out_dir is not None else None
                t0 = time.perf_counter()

                def commit_files() -> None:  # once the run is current, before a stop can land
                    run.timings["write_back"] = time.perf_counter() - t0
                    if staging is not None:
                        t1 = time.perf_counter()
                        run.manifest = io.commit_outputs(staging.result(), _manifest_record(model, run))
                        run.timings["write_files"] += time.perf_counter() - t1

                def report_cleanup() -> None:  # the manifest went out at the switch: add what the cleanup did
                    run.timings["write_back"] = time.perf_counter() - t0  # the cleanup included, as its sub-steps
                    if run.manifest is not None:
                        fields = {k: v for k, v in _manifest_record(model, run).items()
                                  if k in ("finished_at", "timings_s", "write_back")}
                        run.manifest = update_manifest(Path(out_dir) / io.MANIFEST, fields)

                try:
                    write_back(model, settings, run, digests,
                               before_publish=staging.result if staging is not None else None,
                               after_publish=commit_files, after_cleanup=report_cleanup)
                except BaseException:
                    if staging is not None and run.manifest is None:
                        _discard_staged(staging)
                    raise
        run.status = "succeeded"
    except JobLockBusy:
        raise  # refused before it read anything: not a run, nothing to record (docs/scores.md)
    except BaseException as err:  # noqa: BLE001 - recorded, then re-raised
        run.status = "failed"
        run.error = f"{type(err).__name__}: {one_line(err)}" if str(err).strip() else type(err).__name__
        run.diagnostics["traceback_tail"] = traceback.format_exc(limit=3).strip().splitlines()[-3:]
        raise_it = raise_errors or isinstance(err, (KeyboardInterrupt, SystemExit))
        if not raise_it:
            return _finish(run)
        _finish(run)
        raise
    return _finish(run)


def _finish(run: ScoreRun) -> ScoreRun:
    run.finished_at = datetime.now(timezone.utc)
    if run.out_dir is not None:
        try:
            io.append_history(run.out_dir, run.record())
        except OSError:
            pass  # the history is a convenience; the manifest and the error are what matter
    return run


def default_lock_path(out_dir: str | Path | None, lock_file: str | Path | None = None) -> Path:
    """The lock every runner of the scoring job shares: ``--lock-file``, else ``OUT/.score.lock``,
    else ``livetrust-score.lock`` in the temp folder (Neo4j mode without files)."""
    if lock_file is not None:
        return Path(lock_file)
    if out_dir is not None:
        return Path(out_dir) / ".score.lock"
    import tempfile

    return Path(tempfile.gettempdir()) / "livetrust-score.lock"


def check_options(data_dir: Path | None, out_dir: Path | None) -> None:
    """The CLI's rules for --data / --out, as one-line errors."""
    from ...errors import LivetrustError

    if data_dir is not None and out_dir is None:
        raise LivetrustError("embedded mode (--data) writes files only: give --out DIR")
    if data_dir is not None and not Path(data_dir).is_dir():
        raise LivetrustError(f"--data {data_dir}: no such folder")


def score_command(*, data_dir: Path | None, out_dir: Path | None, file_format: str, params: dict[str, Any],
                  lock_file: Path | None = None, settings: Any = None) -> str:
    """What ``livetrust score`` does; returns the text it prints."""
    from filelock import FileLock, Timeout

    from ...errors import LivetrustError

    check_options(data_dir, out_dir)
    if out_dir is not None:
        writable_folder(out_dir, "--out")  # before the read, the fit and the write-back
    lock_path = default_lock_path(out_dir, lock_file)
    if out_dir is None or lock_path.parent != Path(out_dir):
        writable_folder(lock_path.parent, "--lock-file's folder")
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"another scoring run holds the lock {lock_path}; try again when it has finished") from None
    try:
        run = run_score_job(data_dir, out_dir, file_format, params, settings=None if data_dir is not None else settings)
    except LivetrustError:
        raise
    except Exception as err:
        raise LivetrustError(f"scoring failed: {type(err).__name__}: {one_line(err)}") from None
    finally:
        lock.release()
    return run.summary()
