"""``load_folder`` (into Neo4j) and ``validate_folder`` (embedded, in memory): one pipeline.

For each stream in ``contract.LOAD_ORDER``, for each of its files, for each chunk:
read (strings) -> check_fields -> classify against the state -> record quarantined and
pending rows -> commit (one write transaction per chunk) -> count. After the files,
pending rows stored by earlier loads are retried the same way ("pending resolved").
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..contract import LOAD_ORDER, STREAMS, Outcome
from ..errors import InputError, Neo4jUnavailable
from ..settings import Neo4jSettings
from ..stopping import checkpoint
from .readers import Chunk, Source, discover, read_chunks
from .report import Counts, FileReport, LoadReport, Sink
from .state import LayeredState, MemoryState, Neo4jState, PipelinedState, State
from .validate import Batch, batch_from_chunk, check_fields, classify

#: Rows per chunk and per write transaction of ``livetrust load``. Neo4j commits smaller
#: transactions faster per row: a purchases-only load of the m world ran 14.1k rows/s in
#: chunks of 5,000 against 10.9k in chunks of 20,000, and 13.8k in chunks of 2,000
#: (bench/results/load.md, "Rows per transaction").
LOAD_BATCH = 5_000
#: Rows per chunk of the embedded read (``validate_folder``): no transactions there, and fewer
#: chunks mean less per-chunk work.
READ_BATCH = 20_000
REPORT_ROOT = Path("livetrust-out") / "load"


def new_run_id() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-" + secrets.token_hex(3)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Validated:
    """Embedded mode: the accepted rows (typed, per stream), the report and the state."""

    tables: dict[str, pd.DataFrame]
    report: LoadReport
    state: MemoryState
    quarantine: pd.DataFrame
    pending: pd.DataFrame


def _prepare(folder: Path) -> dict[str, list[Source]]:
    sources = discover(Path(folder))
    # headers first: a file without its required columns fails before anything is written
    # (every reader checks the header when it opens; read one row of each file now)
    for stream in LOAD_ORDER:
        for src in sources[stream]:
            for _ in read_chunks(src, 1):
                break
    return sources


def _report_dir(report_dir: Path | None, run_id: str) -> Path:
    path = Path(report_dir) if report_dir is not None else Path.cwd() / REPORT_ROOT / run_id
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the report folder {path}: {err.strerror or err}") from None
    return path


def _empty_stream_folders(folder: Path, sources: dict[str, list[Source]]) -> list[str]:
    """A stream folder without part files (a Spark export of no rows) loads nothing: said once."""
    return [f"{stream}/: a stream folder with no part files: nothing read" for stream in LOAD_ORDER
            if not sources[stream] and (Path(folder) / stream).is_dir()]


def run_pipeline(sources: dict[str, list[Source]], state: State, report: LoadReport, sink: Sink, *,
                 batch_size: int, progress: bool, retry_pending: bool) -> LoadReport:
    report.notes.extend(_empty_stream_folders(report.folder, sources))
    for stream in LOAD_ORDER:
        for src in sources[stream]:
            fr = FileReport(stream=stream, file=src.relpath)
            report.files.append(fr)
            bar = tqdm(total=src.total_rows(), desc=src.relpath, unit=" rows",
                       disable=not progress, file=sys.stderr, dynamic_ncols=True, leave=True)
            t0 = time.perf_counter()
            try:
                for chunk in read_chunks(src, batch_size):
                    checkpoint()  # a SIGTERM stops the load between chunks, not inside the driver
                    batch = batch_from_chunk(stream, chunk)
                    check_fields(batch)
                    classify(batch, state)
                    sink.add(batch)
                    state.commit(batch)
                    fr.add(batch)
                    bar.update(len(batch))
                state.drain()  # the file's rows are committed before its time is taken
            finally:
                fr.seconds = time.perf_counter() - t0
                bar.close()
            fr.check(src.relpath)
            if fr.read == 0 and src.path.stat().st_size == 0:  # a CSV has a header row: say so, once
                report.notes.append(f"{src.relpath}: empty file (0 bytes, not even a header): nothing read")
    if retry_pending:
        for stream in LOAD_ORDER:
            retried = state.list_pending(stream)
            if not retried:
                continue
            counts = report.pending_resolved.setdefault(stream, Counts())
            t0 = time.perf_counter()
            for i in range(0, len(retried), batch_size):
                batch = batch_from_pending(stream, retried[i:i + batch_size])
                check_fields(batch)
                classify(batch, state, from_pending=True)
                _name_origin(batch, retried[i:i + batch_size])
                keys = [r["key"] for r in retried[i:i + batch_size]]
                resolved = [k for k, o in zip(keys, batch.outcome) if o != Outcome.PENDING]
                quarantined_only = Batch(stream, batch.file, batch.row, batch.raw, batch.typed, batch.extras,
                                         np.where(batch.mask_of(Outcome.QUARANTINED), batch.outcome, Outcome.LOADED),
                                         batch.reason, batch.detail)
                sink.add(quarantined_only)
                state.commit(batch, resolved=resolved, write_pending=False)
                counts.add(batch)
            counts.seconds = time.perf_counter() - t0
            counts.check(f"pending {stream}")
    report.finished_at = _now()
    report.check()
    return report


def _name_origin(batch: Batch, rows: list[dict]) -> None:
    """A retried row quarantined now is written to this run's quarantine.csv: its file and row are
    those of an earlier load's folder, which the detail names (its load run)."""
    quarantined = np.flatnonzero(batch.mask_of(Outcome.QUARANTINED))
    for i in quarantined:
        batch.detail[i] = f"{batch.detail[i]} (a row of load {rows[i].get('run_id')}, pending until this load)"


def batch_from_pending(stream: str, rows: list[dict]) -> Batch:
    """Rows retried from the pending store, with their original file and row number."""
    spec = STREAMS[stream]
    frame = pd.DataFrame([r["values"] for r in rows]).astype(object)
    frame = frame.where(frame.notna(), "")
    for c in spec.column_names:
        if c not in frame.columns:
            frame[c] = ""
    chunk = Chunk("", frame, np.asarray([r["row"] for r in rows], dtype=np.int64))
    batch = batch_from_chunk(stream, chunk)
    batch.file = np.asarray([r["file"] for r in rows], dtype=object)
    return batch


def load_folder(folder: Path | str, *, settings: Neo4jSettings | None = None, driver=None, database: str | None = None,
                dry_run: bool = False, report_dir: Path | str | None = None, batch_size: int = LOAD_BATCH,
                progress: bool = False, echo=None) -> LoadReport:
    """Load a contract folder into Neo4j (or, with ``dry_run``, only validate and report).

    Parameters
    ----------
    folder : path
        A contract folder (``shared/data-contract.md``).
    settings : Neo4jSettings, optional
        Where Neo4j is; ignored when ``driver`` is given. Default: from the environment.
    driver, database : optional
        An open driver (tests) and the database to use with it.
    dry_run : bool
        Validate and report, write nothing. Checks against the graph when Neo4j answers,
        against an empty graph when it does not (the report notes which).
    report_dir : path, optional
        Where reconciliation.json, quarantine.csv and pending.csv go
        [default: ./livetrust-out/load/RUN_ID/].
    batch_size : int
        Rows per chunk and per write transaction.
    progress : bool
        A progress bar per file (stderr) and the reconciliation table (``echo``) at the end.

    Returns
    -------
    LoadReport
        Per file: read, loaded, duplicate, pending, quarantined (they add up, always).

    Raises
    ------
    InputError
        Missing folder, unknown format, a file without its required columns.
    Neo4jUnavailable
        Neo4j cannot be reached (not raised by a dry run).
    """
    from ..db import apply_schema, open_driver

    folder = Path(folder)
    sources = _prepare(folder)
    run_id = new_run_id()
    started = _now()
    settings = settings or Neo4jSettings.from_env()
    database = database or settings.database
    own_driver = None
    notes: list[str] = []
    if driver is None:
        try:
            driver = own_driver = open_driver(settings)
        except Neo4jUnavailable as err:
            if not dry_run:
                raise
            notes.append(f"dry run against an empty graph: {err.message}")
    try:
        if dry_run:
            state: State = LayeredState(Neo4jState(driver, database, run_id=run_id, read_only=True)) \
                if driver is not None else MemoryState()
        else:
            apply_schema(driver, database)
            state = PipelinedState(Neo4jState(driver, database, run_id=run_id, write_slice=batch_size))
        out = _report_dir(report_dir, run_id)
        report = LoadReport(run_id=run_id, folder=str(folder.resolve()), mode="dry-run" if dry_run else "load",
                            started_at=started, report_dir=str(out), notes=notes)
        sink = Sink(out)
        try:
            run_pipeline(sources, state, report, sink, batch_size=batch_size, progress=progress,
                         retry_pending=True)
            state.drain()  # every chunk committed before the report says so
        finally:
            sink.close()
            if isinstance(state, PipelinedState):
                state.close()
        report.write_json(out / "reconciliation.json")
        if not dry_run:
            state.finish(_run_props(report))
    finally:
        if own_driver is not None:
            own_driver.close()
    if progress:
        (echo or _print)(_summary(report))
    return report


def validate_folder(folder: Path | str, report_dir: Path | str | None = None, progress: bool = False,
                    batch_size: int = READ_BATCH) -> Validated:
    """Embedded mode: the same validation as ``load_folder`` with in-memory state, no database.

    Returns the accepted rows per stream (typed: ids/text as str, times ``datetime64[ns, UTC]``,
    money and quantities as float), the report, and the quarantined and pending rows.
    """
    folder = Path(folder)
    sources = _prepare(folder)
    run_id = new_run_id()
    state = MemoryState()
    out = _report_dir(report_dir, run_id) if report_dir is not None else None
    report = LoadReport(run_id=run_id, folder=str(folder.resolve()), mode="embedded", started_at=_now(),
                        report_dir=str(out) if out else None)
    sink = Sink(out)
    try:
        run_pipeline(sources, state, report, sink, batch_size=batch_size, progress=progress, retry_pending=False)
    finally:
        sink.close()
    if out is not None:
        report.write_json(out / "reconciliation.json")
        quarantine = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False).astype({"row": "int64"})
        pending = pd.read_csv(out / "pending.csv", dtype=str, keep_default_na=False).astype({"row": "int64"})
    else:
        from .report import SINK_COLUMNS

        quarantine = pd.DataFrame(sink.rows["quarantine"], columns=SINK_COLUMNS).astype({"row": "int64"})
        pending = pd.DataFrame(sink.rows["pending"], columns=SINK_COLUMNS).astype({"row": "int64"})
    return Validated(state.tables(), report, state, quarantine, pending)


def _run_props(report: LoadReport) -> dict:
    import json

    t = report.totals()
    resolved = {s: c.as_dict() for s, c in report.pending_resolved.items()}
    return {
        "run_id": report.run_id,
        "folder": report.folder,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "read": t.read, "loaded": t.loaded, "duplicate": t.duplicate, "pending": t.pending,
        "quarantined": t.quarantined,
        "pending_resolved": sum(c.read - c.pending for c in report.pending_resolved.values()),
        "reconciliation": json.dumps({"files": [f.as_dict() for f in report.files], "pending_resolved": resolved},
                                     ensure_ascii=False),
    }


def _summary(report: LoadReport) -> str:
    head = {"load": "Loaded", "dry-run": "Dry run (nothing written)", "embedded": "Validated"}[report.mode]
    lines = [f"{head}: {report.folder}  (run {report.run_id})", report.table()]
    lines += [f"note: {n}" for n in report.notes]
    lines.append(f"report: {report.report_dir}")
    return "\n".join(lines)


def _print(text: str) -> None:
    print(text)

