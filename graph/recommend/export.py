"""Writing a run's lists: files under ``--out`` with a manifest, and write-back to Neo4j.

Files
-----
One file per list, ``OUT/<list>.<csv|parquet|jsonl>``, and ``OUT/manifest.json``::

    {"job": "recommend", "run_id": ..., "created_at": ..., "score_run_id": ...,
     "parameters": {...}, "input_counts": {...},
     "files": {"consumer_products": {"path": "consumer_products.csv", "format": "csv",
                                     "rows": 123, "sha256": "..."}, ...}}

Every file (the manifest last) is written to a temporary file in the same folder, flushed
and fsynced, then renamed over the target with ``os.replace`` -- atomic on POSIX and
Windows -- so a reader sees either the previous complete file or the new complete one,
never a half-written file. A reader that wants a consistent set checks each file's
sha256 against the manifest.

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

import hashlib
import json
import os
import tempfile
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .run import RecommendResult

FORMATS = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl"}
MANIFEST = "manifest.json"
JSONL_CHUNK = 200_000
PARQUET_ROWS = 1 << 20  # pyarrow's default row group


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write(path: str | Path, write) -> None:
    """Call ``write(tmp_path)`` then move the finished file onto ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one list (CSV through pyarrow's multi-threaded writer: ~10x pandas on millions of rows)."""
    if fmt == "csv":
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    elif fmt == "parquet":
        _write_parquet(frame, path)
    elif fmt == "jsonl":
        # in chunks: pandas builds the whole text in memory otherwise (GBs for millions of rows)
        with open(path, "w", encoding="utf-8") as fh:
            for start in range(0, len(frame), JSONL_CHUNK):
                text = frame.iloc[start:start + JSONL_CHUNK].to_json(orient="records", lines=True, force_ascii=False)
                fh.write(text if text.endswith("\n") else text + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet in row groups of ``PARQUET_ROWS``, categorical columns stored as plain strings:
    the file's schema is that of a table of strings, whatever the frame's dtypes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = {c: "str" for c, dtype in frame.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)}
    writer = None
    try:
        for start in range(0, max(1, len(frame)), PARQUET_ROWS):
            table = pa.Table.from_pandas(frame.iloc[start:start + PARQUET_ROWS].astype(text), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def export(result: RecommendResult, out_dir: str | Path, fmt: str = "csv") -> Path:
    """Write every list and the manifest under ``out_dir``; returns the manifest's path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    files: dict[str, dict[str, Any]] = {}
    for name, frame in result.lists.items():
        target = out_dir / f"{name}.{fmt}"
        atomic_write(target, lambda tmp, f=frame: write_frame(f, tmp, fmt))
        files[name] = {"path": target.name, "format": fmt, "rows": int(len(frame)), "sha256": sha256_of(target)}
    manifest = {
        "job": "recommend",
        "run_id": result.run_id,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "score_run_id": result.score_run_id,
        "parameters": result.parameters,
        "input_counts": result.input_counts,
        "row_counts": result.row_counts,
        "unknown_subjects": result.unknown_subjects,
        "seconds": result.seconds,
        "files": files,
    }
    path = out_dir / MANIFEST
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n",
                                                 encoding="utf-8"))
    return path


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
WRITERS = 2  # one batch is encoded by the driver while Neo4j commits the previous one
LABELS = {"consumer": "Consumer", "streamer": "Streamer", "product": "Product", "factory": "Factory"}


def write_columns(frame: pd.DataFrame, subject: str, obj: str, element_ids: dict[str, pd.Series]) -> pd.DataFrame:
    """One list as the write statement takes it: both ends' element ids, then ``WRITE_PROPERTIES``.

    ``subject`` / ``obj`` are the list's kinds (``consumer``, ``product``, ...); a row whose
    subject or object is not in the graph gets a null id and is skipped by the statement.
    """
    from ...writeback import element_id_columns

    ends = {"subject_node": ("subject_id", LABELS[subject]), "object_node": ("object_id", LABELS[obj])}
    out = element_id_columns(frame, ends, element_ids)
    for column in WRITE_PROPERTIES:
        out[column] = frame[column].array  # by position; the reason stays categorical
    return out


def written_lists(result: RecommendResult, top: int | None = None) -> dict[str, pd.DataFrame]:
    """The part of each list written back: its first ``top`` ranks (None: all)."""
    return {name: frame if top is None else frame[frame["rank"] <= top] for name, frame in result.lists.items()}


def publish(driver, database: str, result: RecommendResult, *, lists: dict[str, pd.DataFrame] | None = None,
            batch_size: int = 20_000, writers: int = WRITERS, timings: dict[str, float] | None = None) -> str | None:
    """Write the lists back to Neo4j as ``RECOMMENDED`` relationships of the run (see above).

    Parameters
    ----------
    driver, database : where to write.
    result : RecommendResult
        The run (its id, parameters and counts go to the ``JobRun``).
    lists : dict of str to DataFrame, optional
        What to write: ``result.lists`` (the default) or a part of it, e.g.
        ``written_lists(result, top)``. The run's ``output_counts`` hold the rows built per
        list and, as ``written``, the relationships written.
    batch_size : int, default 20000
        Rows per write transaction.
    writers : int, default 2
        Sessions writing batches at once.
    timings : dict, optional
        Filled with the seconds of each step (see :func:`livetrust.writeback.publish_run`).

    Returns
    -------
    str or None
        The run id this run replaced (None for the first run).

    Examples
    --------
    >>> result = recommend(projection, scores, top=20)  # doctest: +SKIP
    >>> publish(driver, "neo4j", result, lists=written_lists(result, 5))  # doctest: +SKIP
    'rec-20261203T124540Z-1963dad3'
    """
    from ...writeback import RelationshipBatch, RunRecord, node_element_ids, publish_run, stock_statement
    from .run import LISTS

    lists = result.lists if lists is None else lists
    element_ids = node_element_ids(driver, database)
    statement = stock_statement(driver, database, WRITE_STOCK, WRITE_STATEMENT, WRITE_CREATE_STATEMENT)
    # each list's write columns are built when its turn comes, not all up front: writing all
    # 14.7M rows of the m world, peak RSS 8.74 -> 7.13 GB side by side (bench/results/recommend.md)
    batches = [
        RelationshipBatch(statement, WRITE_CLEANUP, partial(write_columns, frame, *LISTS[name][1:], element_ids),
                          keeps_stock=True, params={"list": name})
        for name, frame in lists.items()
    ]
    record = RunRecord(
        job="recommend", run_id=result.run_id,
        parameters={**result.parameters, "score_run_id": result.score_run_id},
        input_counts=result.input_counts,
        output_counts={**result.row_counts, "written": sum(len(frame) for frame in lists.values())},
    )
    return publish_run(driver, database, record, relationships=batches, batch_size=batch_size, writers=writers,
                       timings=timings)
