"""Writing a run's lists: files under ``--out`` with a manifest, and write-back to Neo4j.

Files
-----
One file per list, ``OUT/<list>.<csv|parquet|jsonl>``, and ``OUT/manifest.json``::

    {"job": "recommend", "run_id": ..., "created_at": ..., "score_run_id": ...,
     "parameters": {...}, "input_counts": {...},
     "files": {"consumer_products": {"path": "consumer_products.csv", "format": "csv",
                                     "rows": 123, "sha256": "..."}, ...}}

Every list is appended to a temporary file in the same folder as its blocks come
(:class:`ListFiles`); at the end each is flushed, fsynced and renamed over its target with
``os.replace`` -- atomic on POSIX and Windows -- and the manifest last, so a reader sees
either the previous complete file or the new complete one, never a half-written file. A
reader that wants a consistent set checks each file's sha256 against the manifest.

Neo4j
-----
:func:`publish` writes every list as ``(subject)-[:RECOMMENDED {list, rank, score,
reason, demotion, run_id}]->(object)`` through ``livetrust.writeback.publish_run`` (job
``recommend``; the evidence columns are in the files): the new run's relationships stay
invisible until the run is made current in one transaction. Like the score job's bonds,
recommendations are kept in two generations: a run overwrites the pairs the replaced run
recommended in the same list in place (``recommended_write_columns.cypher``), creates the
others, and then deletes only what neither the current run nor the one it replaced wrote.
A failed run deletes nothing (what it wrote is overwritten by the next run) and leaves
the previous one current.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pandas as pd

from ...files import atomic_write, fsync, fsync_dir, sha256_of, temp_beside
from .run import RecommendResult

FORMATS = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl"}
MANIFEST = "manifest.json"
JSONL_CHUNK = 200_000
PARQUET_ROWS = 1 << 20  # pyarrow's default row group


def text_table(frame: pd.DataFrame):
    """``frame`` as an Arrow table whose categorical columns are plain strings: the files hold
    text, and every block of a streamed list has the same schema whatever its categories."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
    return table


class ListWriter:
    """Appends the blocks of one list to one file (CSV through pyarrow's multi-threaded
    writer: ~10x pandas on millions of rows; Parquet in row groups of ``PARQUET_ROWS``;
    JSONL in chunks of ``JSONL_CHUNK`` rows). The first block fixes the columns; ``fmt``
    is one of :data:`FORMATS` (checked by :class:`ListFiles`)."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt, self.rows = Path(path), fmt, 0
        self.schema = None
        self._out = None  # the open writer: pyarrow's CSV or Parquet writer, or a text file

    def write(self, frame: pd.DataFrame) -> None:
        self.rows += len(frame)
        if self.fmt == "jsonl":
            self._out = self._out or open(self.path, "w", encoding="utf-8")
            # in chunks: pandas builds the whole text in memory otherwise (GBs for millions of rows);
            # 15 decimals, pandas' most: within 5e-16 of the CSV (its default, 10, differed by 5e-11: review)
            for start in range(0, len(frame), JSONL_CHUNK):
                text = frame.iloc[start:start + JSONL_CHUNK].to_json(orient="records", lines=True, force_ascii=False,
                                                                     double_precision=15)
                self._out.write(text if text.endswith("\n") else text + "\n")
            return
        table = text_table(frame)
        if self.schema is None:
            self.schema = table.schema.remove_metadata()
            self._out = self._open(self.schema)
        table = table.cast(self.schema)  # a block of another shape fails here, loudly
        if self.fmt == "csv":
            self._out.write_table(table)
        else:
            self._out.write_table(table, row_group_size=PARQUET_ROWS)

    def _open(self, schema):
        import pyarrow.csv as pa_csv
        import pyarrow.parquet as pq

        return pa_csv.CSVWriter(self.path, schema) if self.fmt == "csv" else pq.ParquetWriter(self.path, schema)

    def close(self) -> None:
        """Finish the file (flushed and fsynced)."""
        if self._out is not None:
            self._out.close()
        else:  # no block came: the file still exists, as the previous runs' did
            self.path.touch()
        fsync(self.path)

    def discard(self) -> None:
        """Close without finishing and remove the file."""
        try:
            if self._out is not None:
                self._out.close()
        except Exception:  # noqa: BLE001 - the file goes anyway
            pass
        self.path.unlink(missing_ok=True)


class ListFiles:
    """The files of one run, written as its lists go by, published together at the end.

    Each list is appended to a temporary file beside its target. :meth:`commit` finishes
    them, moves each onto ``OUT/<list>.<fmt>`` (``os.replace``: atomic) and writes the
    manifest last; :meth:`abort` removes them, and so does leaving a ``with`` block
    without a commit. A reader sees the previous run's complete files or this run's, never
    a half-written one; the manifest's sha256 tells which.

    Parameters
    ----------
    out_dir : folder of the files (created if missing).
    fmt : ``csv``, ``parquet`` or ``jsonl``.

    Examples
    --------
    >>> with ListFiles("out", "csv") as files:  # doctest: +SKIP
    ...     for frame in run.blocks("consumer_products"):
    ...         files.write("consumer_products", frame)
    ...     files.commit(run.result)
    PosixPath('out/manifest.json')
    """

    def __init__(self, out_dir: str | Path, fmt: str = "csv"):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        self.out_dir, self.fmt = Path(out_dir), fmt
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, ListWriter] = {}

    def write(self, name: str, frame: pd.DataFrame) -> None:
        """Append a block of list ``name`` (its first block opens the file)."""
        if name not in self._writers:
            tmp = temp_beside(self.out_dir / f"{name}.{self.fmt}")
            self._writers[name] = ListWriter(tmp, self.fmt)
        self._writers[name].write(frame)

    def commit(self, result: RecommendResult) -> Path:
        """Publish every list's file and then the manifest; returns the manifest's path."""
        try:
            files: dict[str, dict[str, Any]] = {}
            for name, writer in self._writers.items():
                writer.close()
                files[name] = {"path": f"{name}.{self.fmt}", "format": self.fmt,
                               "rows": writer.rows, "sha256": sha256_of(writer.path)}
            for name, writer in self._writers.items():
                os.replace(writer.path, self.out_dir / files[name]["path"])
            fsync_dir(self.out_dir)
        except BaseException:
            self.abort()
            raise
        self._writers = {}
        path = self.out_dir / MANIFEST
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(_manifest(result, files), indent=2, sort_keys=True,
                                                                 default=str) + "\n", encoding="utf-8"))
        _remove_other_formats(self.out_dir, files)
        return path

    def abort(self) -> None:
        """Remove this run's temporary files; the previous files stay as they were."""
        for writer in self._writers.values():
            writer.discard()
        self._writers = {}

    def __enter__(self) -> "ListFiles":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.abort()  # after commit() nothing is left to remove; after a failure, the temp files


def _remove_other_formats(out_dir: Path, files: dict[str, dict[str, Any]]) -> None:
    """A file of a list this run wrote, in another format (``consumer_products.csv`` beside the new
    ``.parquet``), is an earlier run's and no manifest names it any more: removed. Lists this run did
    not write are left as they are."""
    for name, written in files.items():
        for fmt in FORMATS:
            if f"{name}.{fmt}" != written["path"]:
                (out_dir / f"{name}.{fmt}").unlink(missing_ok=True)


def _manifest(result: RecommendResult, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "job": "recommend",
        "run_id": result.run_id,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "score_run_id": result.score_run_id,
        "parameters": result.parameters,
        "input_counts": result.input_counts,
        **({"input_outcomes": result.input_outcomes} if result.input_outcomes is not None else {}),
        "row_counts": result.row_counts,
        "unknown_subjects": result.unknown_subjects,
        "unknown_subject_examples": result.unknown_subject_examples,
        "seconds": result.seconds,
        "files": files,
    }


def export(result: RecommendResult, out_dir: str | Path, fmt: str = "csv") -> Path:
    """Write every list of a collected run and the manifest under ``out_dir`` (see
    :class:`ListFiles`); returns the manifest's path."""
    with ListFiles(out_dir, fmt) as files:
        for name, frame in result.lists.items():
            files.write(name, frame)
        return files.commit(result)


def verify(out_dir: str | Path) -> dict[str, bool]:
    """Check every file of a manifest against its sha256 (``{list: ok}``)."""
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    return {name: (out_dir / f["path"]).is_file() and sha256_of(out_dir / f["path"]) == f["sha256"]
            for name, f in manifest["files"].items()}


# What a RECOMMENDED relationship keeps besides list and run_id: what the queries read (rank,
# score, reason) and the demotion factor. The evidence columns stay in the list's file: every
# property costs write time, and the m world writes 14.7M recommendations per run.
WRITE_PROPERTIES = ("rank", "score", "reason", "demotion")
WRITE_STATEMENT = "writeback/recommended_write_columns"  # overwrites the replaced run's in place
WRITE_CREATE_STATEMENT = "writeback/recommended_create_columns"  # no stock yet (first two runs)
WRITE_STOCK = "writeback/recommended_stock"
WRITE_CLEANUP = "writeback/recommended_cleanup"
WRITE_STALE = "writeback/recommended_stale"  # whether the cleanup's scan has anything to find
WRITE_DELETE = "writeback/recommended_delete"  # the stale stock the write statement found, by id
WRITERS = 2  # one batch is encoded by the driver while Neo4j commits the previous one
LABELS = {"consumer": "Consumer", "streamer": "Streamer", "product": "Product", "factory": "Factory"}


def write_columns(frame: pd.DataFrame, subject: str, obj: str, element_ids: dict[str, pd.Series],
                  reasons: bool = True) -> pd.DataFrame:
    """One list as the write statement takes it: both ends' element ids, then ``WRITE_PROPERTIES``.

    ``subject`` / ``obj`` are the list's kinds (``consumer``, ``product``, ...); a row whose
    subject or object is not in the graph gets a null id and is skipped by the statement.
    ``reasons=False`` sends every reason as null: Neo4j stores no null property, and an
    overwritten relationship loses the reason it had.
    """
    from ...writeback import element_id_columns

    ends = {"subject_node": ("subject_id", LABELS[subject]), "object_node": ("object_id", LABELS[obj])}
    out = element_id_columns(frame, ends, element_ids)
    for column in WRITE_PROPERTIES:
        out[column] = frame[column].array  # by position; the reason stays categorical
    if not reasons:
        out["reason"] = None
    return out


def publish(driver, database: str, result: RecommendResult, *,
            lists: dict[str, pd.DataFrame | Callable[[], Iterable[pd.DataFrame]]] | None = None,
            batch_size: int = 20_000, writers: int = WRITERS, timings: dict[str, float] | None = None,
            counts: dict[str, int] | None = None, reasons: bool = True,
            after_publish: Callable[[], None] | None = None,
            stale_ids_max: int | None = None) -> str | None:
    """Write the lists back to Neo4j as ``RECOMMENDED`` relationships of the run (see above).

    Parameters
    ----------
    driver, database : where to write.
    result : RecommendResult
        The run (its id, parameters and counts go to the ``JobRun``).
    lists : dict, optional
        What to write, per list name: the list (default: ``result.lists``), or a function
        returning its frames one block at a time (a streamed list, e.g. its first K ranks
        of each block of :meth:`RecommendRun.blocks`): each block is written while the
        next is built. The run's ``output_counts`` hold the rows built per list
        (``result.row_counts``); its ``relationships_written``, the relationships written.
    batch_size : int, default 20000
        Rows per write transaction.
    writers : int, default 2
        Sessions writing batches at once.
    timings, counts : dict, optional
        Filled with the seconds of each step and what the write-back did (relationships
        written, overwritten ...; see :func:`livetrust.writeback.publish_run`).
    reasons : bool, default True
        Keep the reason text on each relationship (False: left off; the files keep it).
    after_publish : callable, optional
        Called once the run is current (the job's files go in place); a stop waits for it.
    stale_ids_max : int, optional
        Most ids of stale stock held for the delete by id (default
        :data:`livetrust.writeback.STALE_IDS_MAX`); past it the cleanup's scan deletes them.

    Returns
    -------
    str or None
        The run id this run replaced (None for the first run).

    Examples
    --------
    >>> result = recommend(projection, scores, top=20)  # doctest: +SKIP
    >>> publish(driver, "neo4j", result)  # doctest: +SKIP
    'rec-20261203T124540Z-1963dad3'
    """
    from ...writeback import RelationshipBatch, RunRecord, node_element_ids, publish_run, stock_statement
    from .run import LISTS

    lists = result.lists if lists is None else lists
    element_ids = node_element_ids(driver, database)
    statement = stock_statement(driver, database, WRITE_STOCK, WRITE_STATEMENT, WRITE_CREATE_STATEMENT)
    output_counts = dict(result.row_counts)  # read when the run is published, after every list

    def columns(name: str, frames) -> Iterator[pd.DataFrame]:
        # each block's write columns are built when its turn comes, not all up front: writing all
        # 14.7M rows of the m world, peak RSS 8.74 -> 7.13 GB side by side (bench/results/recommend.md)
        for frame in [frames] if isinstance(frames, pd.DataFrame) else frames():
            yield write_columns(frame, *LISTS[name][1:], element_ids, reasons=reasons)
        output_counts[name] = result.row_counts.get(name, 0)  # a streamed list is counted once it went by

    # the statement reports each subject's stale stock after its rows, deleted by id once the run is
    # current; the cleanup's scan then runs only when something else is left (WRITE_STALE)
    # the object's label tells the list's stock from the subject's other RECOMMENDED (the statement's header)
    batches = [RelationshipBatch(statement, WRITE_CLEANUP, partial(columns, name, frames), keeps_stock=True,
                                 params={"list": name, "object_label": LABELS[LISTS[name][2]]},
                                 stale_check=WRITE_STALE, stale_delete=WRITE_DELETE)
               for name, frames in lists.items()]
    record = RunRecord(job="recommend", run_id=result.run_id,
                       parameters={**result.parameters, "score_run_id": result.score_run_id},
                       input_counts=result.input_counts, output_counts=output_counts, started_at=result.started_at)
    return publish_run(driver, database, record, relationships=batches, batch_size=batch_size, writers=writers,
                       timings=timings, counts=counts, stale_ids_max=stale_ids_max, after_publish=after_publish)
