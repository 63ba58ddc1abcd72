"""Publishing a job's results to Neo4j so readers never see two runs mixed.

A run is written in three steps (Cypher in ``queries/writeback/``):

1. ``run_start``: a ``(:JobRun {status: 'running'})`` node records the run.
2. Relationships (millions of bonds, say) are created in batches stamped with the new
   ``run_id``. Readers filter relationships by the current run id, so these stay
   invisible until step 3.
3. One transaction sets the node scores and makes the run current (``run_publish``).
   Only then are older runs' relationships deleted.

If anything fails before step 3, the run is marked failed, its relationships are
removed, and the previous run stays current with its scores in place.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

import neo4j
import pandas as pd

from .queries import cypher_statement


@dataclass(frozen=True)
class RelationshipBatch:
    """Relationships of one run: ``create`` writes batches, ``cleanup`` drops other runs'."""

    create: str
    cleanup: str
    rows: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class NodeUpdate:
    """Node properties set in the publishing transaction (``statement`` takes ``$rows``)."""

    statement: str
    rows: Sequence[dict[str, Any]]


@dataclass
class RunRecord:
    """What the run history keeps about a run (also written to the JSON manifest)."""

    job: str
    run_id: str
    parameters: dict[str, Any] = field(default_factory=dict)
    input_counts: dict[str, int] = field(default_factory=dict)
    output_counts: dict[str, int] = field(default_factory=dict)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def publish_run(
    driver: neo4j.Driver,
    database: str,
    record: RunRecord,
    *,
    relationships: Iterable[RelationshipBatch] = (),
    node_updates: Iterable[NodeUpdate] = (),
    batch_size: int = 20_000,
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
        Applied together with the switch, in one transaction.
    """
    relationships, node_updates = list(relationships), list(node_updates)
    driver.execute_query(
        cypher_statement("writeback/run_start"),
        job=record.job, run_id=record.run_id, started_at=now_utc(),
        parameters=json.dumps(record.parameters, sort_keys=True, default=str),
        input_counts=json.dumps(record.input_counts, sort_keys=True),
        database_=database,
    )
    try:
        with driver.session(database=database) as session:
            for rel in relationships:
                statement = cypher_statement(rel.create)
                for start in range(0, len(rel.rows), batch_size):
                    batch = list(rel.rows[start : start + batch_size])
                    session.execute_write(_run, statement, rows=batch, run_id=record.run_id)
            previous = session.execute_write(_publish, record, node_updates)
    except BaseException as err:
        _mark_failed(driver, database, record, err, relationships)
        raise
    _cleanup(driver, database, relationships, keep=record.run_id)
    return previous


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


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _run(tx: neo4j.ManagedTransaction, statement: str, **params: Any) -> None:
    tx.run(statement, params).consume()


def _publish(tx: neo4j.ManagedTransaction, record: RunRecord, node_updates: list[NodeUpdate]) -> str | None:
    for update in node_updates:
        tx.run(cypher_statement(update.statement), rows=list(update.rows), run_id=record.run_id).consume()
    result = tx.run(
        cypher_statement("writeback/run_publish"),
        job=record.job, run_id=record.run_id, finished_at=now_utc(),
        output_counts=json.dumps(record.output_counts, sort_keys=True),
    ).single()
    return result["previous_run_id"] if result else None


def _mark_failed(driver, database, record: RunRecord, err: BaseException, relationships) -> None:
    message = (str(err).strip().splitlines() or [type(err).__name__])[0]
    try:
        driver.execute_query(
            cypher_statement("writeback/run_failed"),
            run_id=record.run_id, finished_at=now_utc(), error=f"{type(err).__name__}: {message}",
            database_=database,
        )
        _cleanup(driver, database, relationships, keep=current_run_id(driver, database, record.job))
    except neo4j.exceptions.Neo4jError:
        pass  # the original error matters more; the next run cleans up what is left


def _cleanup(driver, database, relationships, keep: str | None) -> None:
    # CALL IN TRANSACTIONS needs an auto-commit transaction, hence session.run.
    with driver.session(database=database) as session:
        for statement in dict.fromkeys(rel.cleanup for rel in relationships):
            session.run(cypher_statement(statement), keep=keep).consume()
