"""Publishing a job's results to Neo4j so readers never see two runs mixed.

A run is written in four steps (Cypher in ``queries/writeback/``), holding the job's lock
(:mod:`livetrust.joblock`: one writing run per job, whatever process or machine it runs on):

1. ``run_start``: a ``(:JobRun {status: 'running'})`` node records the run.
2. Relationships (millions of bonds, say; the node scores, as ``STREAMER_SCORE`` etc. relationships to
   the run's ``JobRun``) are created in batches stamped with the new run. Readers take
   relationships of the current run only, so these stay invisible until step 4.
3. Node properties stamped with the run (``NodeUpdate``; the streamer digests) are set in
   batches. Readers use them only when the stamp is the current run's.
4. One small transaction makes the run current (``run_publish``). Only then are older
   runs' relationships deleted.

The switch transaction writes nothing per node: Neo4j holds a transaction's changes in
memory whole until it commits, and committing new properties on every scored node took more
than its default 2.8 GiB of transaction memory (heap 4g) on the l world's 173k nodes
(``bench/results/score.md``).

If anything fails before step 4, the run is marked failed, its relationships are
removed, and the previous run stays current with its scores in place (a stamped node
property written in step 3 then carries another run's stamp, and readers do not use it).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import neo4j
import numpy as np
import pandas as pd

from .db import apply_schema, server_gone
from .errors import one_line
from .joblock import STALE_AFTER, JobLock, JobLockLost
from .queries import cypher_statement
from .stopping import checkpoint, shielded

log = logging.getLogger("livetrust.writeback")


@dataclass(frozen=True)
class RelationshipBatch:
    """Relationships of one run: ``create`` writes batches, ``cleanup`` drops other runs'
    (None: nothing to drop, e.g. properties set on relationships that outlive runs).

    ``keeps_stock``: the cleanup also keeps the relationships of the run this one replaced
    (its ``$stock`` parameter), which the next run's ``create`` overwrites in place instead
    of creating and deleting (the scoring job's TRUSTS bonds); a failed run then deletes
    nothing, since its relationships are stock for the next run as well.

    ``rows`` is a list of row maps (the statement takes ``$rows``) or a DataFrame, sent
    a batch at a time as one list per column (the statement takes ``$columns``; see
    :func:`frame_to_columns`), or a function returning either, called when this batch's
    turn comes: a run writing several large batches then holds one of them at a time.
    The function may also return an iterator of DataFrames (chunks of a list built block
    by block): each chunk is written while the next is built.

    ``stale_check``: when ``create`` returns ``written`` (the relationships it wrote, exactly),
    this statement gets ``$written`` (the run's total) and ``$stock`` (the run kept as stock, whose
    ``JobRun.relationships_written`` it may read) and returns ``stale``; the cleanup's scan runs
    only when that is true. Every batch of such a run must share its cleanup (one relationship
    type: the counts are per run).

    ``stale_delete``: when ``create`` also returns ``stale`` (lists of element ids of stock it
    found stale and did not take), this statement deletes those still stale (``$ids``, ``$keep``,
    ``$stock``; returns ``deleted``) once the run is current, in batches, from one session,
    before the ``stale_check``. Deleting them inside the write batches instead, two sessions at
    once, deadlocked on popular objects' relationship chains (147 retries for 0.7M stale
    relationships on the m world).
    """

    create: str
    cleanup: str | None
    rows: Sequence[dict[str, Any]] | pd.DataFrame | Callable[[], Sequence[dict[str, Any]] | pd.DataFrame]
    batch_size: int | None = None  # rows per transaction when not publish_run's (large rows)
    keeps_stock: bool = False
    params: dict[str, Any] = field(default_factory=dict)  # further parameters of ``create`` (e.g. $list)
    stale_check: str | None = None  # a statement saying whether ``cleanup`` has anything to delete
    stale_delete: str | None = None  # deletes the stale stock ``create`` reported, by element id


@dataclass(frozen=True)
class NodeUpdate:
    """Node properties stamped with the run (``statement`` takes ``$rows`` and ``$run_id``),
    set in transactions of ``batch_size`` rows (default: ``publish_run``'s) before the switch.

    Readers must compare the stamp with the current run: until the switch (or after a failed
    run) the properties carry another run's stamp.
    """

    statement: str
    rows: Sequence[dict[str, Any]]
    batch_size: int | None = None  # smaller for rows that cost Neo4j much memory each (long lists)


@dataclass
class RunRecord:
    """What the run history keeps about a run (also written to the JSON manifest)."""

    job: str
    run_id: str
    parameters: dict[str, Any] = field(default_factory=dict)
    input_counts: dict[str, int] = field(default_factory=dict)
    output_counts: dict[str, int] = field(default_factory=dict)
    started_at: datetime | None = None  # when the job started (before its read); default: the write-back's start


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


# Element ids of stale stock kept in memory for the delete by id: about 100 bytes each as Python
# strings (sys.getsizeof of a relationship's element id: 97). A day of new data on the m world leaves
# 0.87M (bench/results/recommend.md, "A rerun after a day of new data"); an l world, ten times m, would
# leave several million. Past the limit none are kept: the count-based stale_check then finds the
# relationships left over and the cleanup's scan deletes them.
STALE_IDS_MAX = 2_000_000


@dataclass
class _StaleIds:
    """The stale stock the write statements report, per delete statement, up to ``limit`` ids in all."""

    limit: int
    by_statement: dict[str, list[str]] = field(default_factory=dict)
    reported: int = 0

    @property
    def dropped(self) -> bool:
        """More than ``limit`` were reported: none are kept, the cleanup's scan finds them."""
        return self.reported > self.limit

    def add(self, statement: str, ids: list[str]) -> None:
        self.reported += len(ids)
        if self.dropped:
            self.by_statement.clear()
        elif ids:
            self.by_statement.setdefault(statement, []).extend(ids)


def publish_run(
    driver: neo4j.Driver,
    database: str,
    record: RunRecord,
    *,
    relationships: Iterable[RelationshipBatch] = (),
    node_updates: Iterable[NodeUpdate] = (),
    batch_size: int = 20_000,
    writers: int = 1,
    timings: dict[str, float] | None = None,
    counts: dict[str, int] | None = None,
    before_publish: Callable[[], None] | None = None,
    after_publish: Callable[[], None] | None = None,
    after_cleanup: Callable[[], None] | None = None,
    lock_stale_after: int = STALE_AFTER,
    stale_ids_max: int | None = None,
) -> str | None:
    """Write a run's results and make it current; returns the run it replaced (or None).

    Parameters
    ----------
    driver, database : where to write.
    record : RunRecord
        The run's job name, id, parameters and counts (kept on the ``JobRun`` node).
    relationships : RelationshipBatch
        Written before the switch, in managed transactions of ``batch_size`` rows.
    node_updates : NodeUpdate
        Written after the relationships, before the switch, in batches.
    batch_size : int, default 20000
        Relationship rows per write transaction.
    writers : int, default 1
        Sessions writing relationship batches at once (the driver encodes one batch while
        Neo4j commits another). Batches are independent transactions, retried on deadlocks.
    timings : dict, optional
        Filled with the seconds spent creating relationships (``relationships``), setting
        the node properties (``node_updates``), in ``before_publish``, in the publishing
        transaction (``publish``) and deleting other runs' relationships (``cleanup``; a
        ``keeps_stock`` batch keeps the replaced run's).
    counts : dict, optional
        Filled with what the write-back did: ``cleanup_scans``, the cleanup statements run (a
        ``stale_check`` that finds nothing stale skips one), ``stale_deleted``, the stale stock
        deleted by id, ``stale_ids_dropped`` (below), ``cleanup_failed`` (1 when the cleanup after
        the switch raised: the run stays published, a warning says why, the next run cleans up),
        and, when the write statements report
        them, the relationships ``written`` and how many of them were ``overwritten`` in place
        (the rest were created).
    before_publish : callable, optional
        Called once the relationships are written, before the switch (the scoring job waits
        there for its files); an exception fails the run like any other (its relationships
        are removed and the previous run stays current).
    after_publish : callable, optional
        Called as soon as the run is current, before the cleanup: the job puts its files in
        place. From the switch to the end of the cleanup a stop (SIGTERM, SIGINT) waits
        (:func:`livetrust.stopping.shielded`), so that Neo4j and the files name the same run.
        The files come before the cleanup so that a kill that does not wait (``docker stop``
        kills after 10 s; a cleanup's scan can take minutes) still finds them in place; what the
        cleanup leaves, the next run's cleanup deletes.
    after_cleanup : callable, optional
        Called once the cleanup is done: a job whose manifest reports the cleanup (``timings``,
        ``counts``) writes it again there.
    lock_stale_after : int, default 600
        Seconds without a heartbeat after which another run may take this job's lock
        (:class:`~livetrust.joblock.JobLock`). While a live run of the same job holds it, this
        one raises :class:`~livetrust.joblock.JobLockBusy` before writing anything.
    stale_ids_max : int, optional
        Most element ids of stale stock held for the delete by id (``stale_delete``); default
        :data:`STALE_IDS_MAX` (2,000,000). Past it none are held (bounded memory) and the
        cleanup's scan deletes them instead (``counts["stale_ids_dropped"]`` is then 1).

    Returns
    -------
    str or None
        The run id that was current before (None for the first run).

    Examples
    --------
    >>> publish_run(driver, "neo4j", RunRecord("score", "score-1"),
    ...             relationships=[RelationshipBatch("writeback/trusts_create", "writeback/trusts_cleanup", rows)])
    """
    relationships, node_updates = list(relationships), list(node_updates)
    timings = {} if timings is None else timings
    counts = {} if counts is None else counts
    if any(rel.stale_check for rel in relationships) and len({rel.cleanup for rel in relationships}) > 1:
        raise ValueError("a stale_check compares per-run counts: every batch of the run must share its cleanup")
    # a database loaded by an older livetrust may lack the constraints of what this run writes
    # (idempotent: IF NOT EXISTS; a few ms when all exist)
    apply_schema(driver, database)
    with JobLock(driver, database, record.job, record.run_id, stale_after=lock_stale_after) as lock:
        driver.execute_query(
            cypher_statement("writeback/run_start"),
            job=record.job, run_id=record.run_id, started_at=record.started_at or now_utc(),
            parameters=json.dumps(record.parameters, sort_keys=True, default=str),
            input_counts=json.dumps(record.input_counts, sort_keys=True),
            database_=database,
        )
        try:
            t0 = time.perf_counter()
            written: int | None = 0  # exact, while every write statement reports it
            overwritten = 0
            stale = _StaleIds(STALE_IDS_MAX if stale_ids_max is None else stale_ids_max)
            for rel in relationships:
                report = partial(stale.add, rel.stale_delete) if rel.stale_delete else None
                counted, overwrote = _write_batches(driver, database, rel, lock, batch_size, writers, report)
                written = None if written is None or counted is None else written + counted
                overwritten += overwrote
            timings["relationships"] = time.perf_counter() - t0
            if written is not None:
                counts["written"], counts["overwritten"] = written, overwritten
            counts["stale_ids_dropped"] = int(stale.dropped)
            t0 = time.perf_counter()
            for update in node_updates:
                _write_node_batches(driver, database, update, lock, batch_size)
            timings["node_updates"] = time.perf_counter() - t0
            if before_publish is not None:
                t0 = time.perf_counter()
                before_publish()
                timings["before_publish"] = time.perf_counter() - t0
        except BaseException as err:
            _failed(driver, database, record, err, relationships)
            raise
        # from the switch to the caller's files (after_publish) a stop waits: stopped between them,
        # Neo4j's current run would not be the files' run. The files come first, the cleanup after
        # them: killed during a long cleanup (a scan: minutes), Neo4j and the files still agree, and
        # the next run's cleanup deletes what is left. Then the run is done: the stop lets the job
        # finish and record it as succeeded, and the command exits as stopped
        with shielded(finish=True):
            try:
                t0 = time.perf_counter()
                with driver.session(database=database) as session:
                    previous = session.execute_write(_publish, record, lock, written if relationships else None)
                timings["publish"] = time.perf_counter() - t0
            except BaseException as err:
                _failed(driver, database, record, err, relationships)
                raise
            if after_publish is not None:
                after_publish()
            t0 = time.perf_counter()
            try:
                counts["stale_deleted"] = _delete_stale(driver, database, stale.by_statement, batch_size,
                                                        keep=record.run_id, stock=previous)
                counts["cleanup_scans"] = _cleanup(driver, database, relationships, keep=record.run_id,
                                                   stock=previous, written=written)
            except Exception as err:  # noqa: BLE001 - the run is published and its files in place
                # what is left is invisible to readers and the next run's cleanup deletes it: a
                # warning, not a failed run (its history would say failed while Neo4j says current)
                counts["cleanup_failed"] = 1
                log.warning("%s is current, but cleaning up the runs it replaced failed (%s); the next run cleans up",
                            record.run_id, one_line(err))
            timings["cleanup"] = time.perf_counter() - t0
            if after_cleanup is not None:
                try:
                    after_cleanup()
                except OSError as err:  # the manifest written at the switch stays, without the cleanup's counts
                    log.warning("%s: could not add the cleanup to the manifest (%s)", record.run_id, one_line(err))
    return previous


def _failed(driver: neo4j.Driver, database: str | None, record: RunRecord, err: BaseException,
            relationships: list[RelationshipBatch]) -> None:
    # a run that lost its lock leaves the database to the holder: what it would delete may be
    # the holder's (it only records its own failure)
    _mark_failed(driver, database, record, err, relationships, clean=not isinstance(err, JobLockLost))


def node_element_ids(driver: neo4j.Driver, database: str | None) -> dict[str, pd.Series]:
    """Element id per key of every Consumer, Streamer, Product and Factory, by label.

    The relationship write-backs send both ends as element ids (``NodeByElementIdSeek``)
    instead of keys (two index seeks per row); map a key column through ``result[label]``
    (a key not in the graph maps to NaN, and the row is skipped by the statement's MATCH).

    Examples
    --------
    >>> ids = node_element_ids(driver, "neo4j")
    >>> bonds["consumer_id"].map(ids["Consumer"])  # doctest: +SKIP
    """
    records, _, _ = driver.execute_query(cypher_statement("writeback/node_element_ids"), database_=database)
    return {r["label"]: pd.Series(r["element_ids"], index=r["ids"], dtype=object) for r in records}


def element_id_columns(frame: pd.DataFrame, ends: dict[str, tuple[str, str]],
                       element_ids: dict[str, pd.Series]) -> pd.DataFrame:
    """Both ends of each row as element ids, for a statement that seeks nodes by id.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows, with their key columns.
    ends : dict
        Output column -> (key column of ``frame``, label), e.g.
        ``{"consumer_node": ("consumer_id", "Consumer")}``.
    element_ids : dict
        :func:`node_element_ids`. A key not in the graph gets a null id, and the row is
        skipped by the statement's MATCH (as an index seek that finds nothing would be).

    Examples
    --------
    >>> element_id_columns(bonds, {"consumer_node": ("consumer_id", "Consumer")}, node_element_ids(driver, "neo4j"))  # doctest: +SKIP
    """
    empty = pd.Series(dtype=object)
    # object columns: the rows of a categorical key point at one shared id string per node,
    # where a string column would copy it into every row
    return pd.DataFrame({column: pd.Series(_element_ids_of(frame[key], element_ids.get(label, empty)), dtype=object)
                         for column, (key, label) in ends.items()})


def _element_ids_of(keys: pd.Series, ids: pd.Series) -> np.ndarray:
    """The element id of each key (NaN: not in the graph); each distinct key is looked up once
    (a recommendation list has 20 rows per subject, a consumer about 5 bonds).

    A categorical's codes are used as they are; other keys are factorized first. ``keys.map``
    turned every row's key into a Python string first: for the l world's 17.3M bonds that was
    the score job's peak (bench/results/score.md).
    """
    if isinstance(keys.dtype, pd.CategoricalDtype):
        codes, distinct = keys.cat.codes.to_numpy(), keys.cat.categories
    else:
        codes, distinct = pd.factorize(keys)
    per_key = np.append(ids.reindex(distinct).to_numpy(dtype=object), np.nan)
    return per_key[codes]  # code -1 (a missing key) takes the NaN at the end


def stock_statement(driver: neo4j.Driver, database: str | None, stock: str, overwrite: str, create: str) -> str:
    """``overwrite`` when ``stock`` (a query returning one ``stock`` boolean) finds relationships
    of earlier runs to overwrite in place, else ``create`` (the first two runs of a graph: no
    stock look-up, which would find nothing). See ``RelationshipBatch.keeps_stock``."""
    records, _, _ = driver.execute_query(cypher_statement(stock), database_=database)
    return overwrite if records and records[0]["stock"] else create


def current_run_id(driver: neo4j.Driver, database: str, job: str) -> str | None:
    records, _, _ = driver.execute_query(cypher_statement("writeback/current_run"), job=job, database_=database)
    return records[0]["run_id"] if records else None


def frame_to_rows(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for a write-back statement: the key columns, and every other column in ``props``.

    Missing values (NaN/NaT) are left out of ``props``, so Neo4j stores no property for them.
    ``to_dict`` already gives plain Python values (and ``pd.Timestamp``, a ``datetime``).
    """
    props = frame.drop(columns=list(keys))
    prop_rows = props.to_dict("records")
    gappy = [c for c in props.columns if props[c].isna().any()]
    if gappy:  # only columns that have gaps need the per-value check
        for row in prop_rows:
            for column in gappy:
                if _missing(row[column]):
                    del row[column]
    key_rows = frame[list(keys)].to_dict("records")
    for key_row, prop_row in zip(key_rows, prop_rows):
        key_row["props"] = prop_row  # pd.Timestamp is a datetime: the driver takes it as is
    return key_rows


def frame_to_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """One plain Python list per column, missing values (NaN/NaT/None) as None.

    The columnar form of a batch for a statement taking ``$columns`` (``UNWIND
    range(0, size($columns.KEY) - 1) AS i ... $columns.COL[i]``): no dict per row, and
    Neo4j stores no property for a null.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    dict of str to list

    Examples
    --------
    >>> frame_to_columns(pd.DataFrame({"id": ["a", "b"], "x": [1.5, float("nan")]}))
    {'id': ['a', 'b'], 'x': [1.5, None]}
    """
    out = {}
    for column in frame.columns:
        values = frame[column]
        if values.isna().any():
            values = values.astype(object).where(values.notna(), None)
        out[column] = values.tolist()
    return out


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


class _BatchOutcome(NamedTuple):
    """What a write statement returned for one batch (see ``RelationshipBatch``)."""

    written: int | None  # relationships the batch wrote; None: the statement does not say
    overwritten: int  # of those, stock overwritten in place (0 when the statement does not say)
    stale: list[list[str]]  # per subject, element ids of stock no row took


def _write_batches(driver, database: str, rel: RelationshipBatch, lock: JobLock, batch_size: int,
                   writers: int, report_stale: Callable[[list[str]], None] | None = None) -> tuple[int | None, int]:
    """Create ``rel.rows`` in transactions of ``batch_size`` rows, ``writers`` sessions at a time;
    each transaction first checks that the run still holds its job's lock. Returns the sums of
    the ``written`` (None when the statement returns none) and ``overwritten`` the statement
    returned per batch; the element ids of the ``stale`` stock each batch reports go to
    ``report_stale`` as the batch ends.

    Rows that come as an iterator of chunks (a list streamed block by block) are written
    while the next chunk is built: at most two chunks are held at once.
    """
    statement = cypher_statement(rel.create)
    rows = rel.rows() if callable(rel.rows) else rel.rows
    chunks = [rows] if isinstance(rows, (pd.DataFrame, Sequence)) else rows
    batch_size = rel.batch_size or batch_size
    failed = threading.Event()  # after a failure, batches not yet started are skipped

    def write(chunk, start: int) -> _BatchOutcome:
        if failed.is_set():
            return _BatchOutcome(None, 0, [])
        try:
            if isinstance(chunk, pd.DataFrame):
                params = {"columns": frame_to_columns(chunk.iloc[start : start + batch_size])}
            else:
                params = {"rows": list(chunk[start : start + batch_size])}
            checkpoint()  # a SIGTERM stops the write-back between batches, not inside the driver
            with driver.session(database=database) as session:
                return session.execute_write(_run_locked, lock, statement, run_id=lock.run_id, **rel.params, **params)
        except BaseException:
            failed.set()
            raise

    counts: list[int | None] = []
    overwritten = 0

    def collect(outcome: _BatchOutcome) -> None:
        nonlocal overwritten
        counts.append(outcome.written)
        overwritten += outcome.overwritten
        if report_stale is not None:
            report_stale([element_id for ids in outcome.stale for element_id in ids])

    if writers <= 1:
        for chunk in chunks:
            for start in range(0, len(chunk), batch_size):
                collect(write(chunk, start))
    else:
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="writeback") as pool:
            pending: list = []  # the previous chunk's batches
            try:
                for chunk in chunks:  # the next chunk is built while the pool writes the previous one
                    submitted = [pool.submit(write, chunk, start) for start in range(0, len(chunk), batch_size)]
                    for future in pending:
                        collect(future.result())  # re-raises the first failure
                    pending = submitted
                for future in pending:
                    collect(future.result())
            except BaseException:
                failed.set()
                raise
    return (None if any(c is None for c in counts) else int(sum(counts))), overwritten


def _run_locked(tx: neo4j.ManagedTransaction, lock: JobLock, statement: str, **params: Any) -> _BatchOutcome:
    """Run one batch if the run still holds its lock; what the statement returned."""
    lock.check(tx)
    record = tx.run(statement, params).single(strict=False)
    if record is None:
        return _BatchOutcome(None, 0, [])
    return _BatchOutcome(record.get("written"), record.get("overwritten") or 0, record.get("stale") or [])


def _delete_stale(driver, database, stale: dict[str, list[str]], batch_size: int, keep: str,
                  stock: str | None) -> int:
    """Delete what the write statements reported as stale stock and is still neither ``keep``'s
    (the run just made current) nor ``stock``'s; returns how many went."""
    deleted = 0
    with driver.session(database=database) as session:
        for statement, ids in stale.items():
            for start in range(0, len(ids), batch_size):
                checkpoint()
                deleted += session.execute_write(_deleted, cypher_statement(statement),
                                                 ids=ids[start : start + batch_size], keep=keep, stock=stock)
    return deleted


def _deleted(tx: neo4j.ManagedTransaction, statement: str, **params: Any) -> int:
    return tx.run(statement, params).single()["deleted"]


def _write_node_batches(driver, database: str, update: NodeUpdate, lock: JobLock, batch_size: int) -> None:
    statement, batch_size = cypher_statement(update.statement), update.batch_size or batch_size
    with driver.session(database=database) as session:
        for start in range(0, len(update.rows), batch_size):
            checkpoint()
            session.execute_write(_run_locked, lock, statement, run_id=lock.run_id,
                                  rows=list(update.rows[start : start + batch_size]))


def _publish(tx: neo4j.ManagedTransaction, record: RunRecord, lock: JobLock, written: int | None) -> str | None:
    lock.renew(tx)  # in the switch's own transaction: no takeover between the check and the commit
    result = tx.run(
        cypher_statement("writeback/run_publish"),
        job=record.job, run_id=record.run_id, finished_at=now_utc(),
        output_counts=json.dumps(record.output_counts, sort_keys=True), relationships_written=written,
    ).single()
    return result["previous_run_id"] if result else None


def _mark_failed(driver, database, record: RunRecord, err: BaseException, relationships, clean: bool = True) -> None:
    if server_gone(driver, err):
        return  # nobody to tell: the run stays "running" until the next run marks it abandoned
    message = one_line(err)
    try:
        driver.execute_query(
            cypher_statement("writeback/run_failed"),
            run_id=record.run_id, finished_at=now_utc(), error=f"{type(err).__name__}: {message}",
            database_=database,
        )
        failed_only = [rel for rel in relationships if not rel.keeps_stock and clean]
        _cleanup(driver, database, failed_only, keep=current_run_id(driver, database, record.job))
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError):
        pass  # the original error matters more; the next run cleans up what is left


def _cleanup(driver, database, relationships, keep: str | None, stock: str | None = None,
             written: int | None = None) -> int:
    """Delete other runs' relationships; returns how many cleanup scans ran (a ``stale_check``
    that finds nothing stale saves its scan)."""
    scans = 0
    # CALL IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
    with driver.session(database=database) as session:
        for rel in {rel.cleanup: rel for rel in relationships if rel.cleanup}.values():
            params = {"keep": keep, "stock": stock if rel.keeps_stock else None}
            if rel.stale_check and written is not None:
                check = session.run(cypher_statement(rel.stale_check), written=written, stock=params["stock"]).single()
                if not check["stale"]:
                    continue  # exactly the two kept runs' relationships are left: nothing to scan for
            session.run(cypher_statement(rel.cleanup), params).consume()
            scans += 1
    return scans
