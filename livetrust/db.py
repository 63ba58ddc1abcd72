"""The one place that opens Neo4j connections and turns driver failures into one line.

Cypher comes from ``.cypher`` files in ``livetrust.queries``; values travel as
parameters only.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

import neo4j
from neo4j import exceptions as neo4j_errors

from .errors import Neo4jUnavailable, Neo4jUnreachable
from .queries import schema_statements
from .settings import Neo4jSettings
from .stopping import checkpoint

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def open_driver(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check that Neo4j answers with these credentials.

    Raises
    ------
    Neo4jUnavailable
        One line naming the URI and the reason; the password is never included.
    """
    scheme = settings.uri.split("://", 1)[0] if "://" in settings.uri else ""
    if scheme not in BOLT_SCHEMES:
        raise Neo4jUnavailable(
            f"invalid Neo4j URI {settings.uri!r}: the scheme must be one of {', '.join(BOLT_SCHEMES)}"
        )
    try:
        # Notifications ("label does not exist yet" and the like) would flood the terminal.
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=(settings.user, settings.password), notifications_min_severity="OFF"
        )
    except (neo4j_errors.ConfigurationError, ValueError) as err:
        raise Neo4jUnavailable(f"invalid Neo4j URI {settings.uri!r}: {_first_line(err)}") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=settings.database)
    except neo4j_errors.AuthError:
        driver.close()
        raise Neo4jUnavailable(
            f"Neo4j at {settings.uri} rejected the credentials of user {settings.user!r} "
            "(check NEO4J_USER / NEO4J_PASSWORD)"
        ) from None
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as err:
        from .localneo4j import local_command

        driver.close()
        raise Neo4jUnreachable(
            f"cannot reach Neo4j at {settings.uri}: {_first_line(err)} "
            f"(set NEO4J_URI, or start the local one: {local_command('start')})"
        ) from None
    except neo4j_errors.TransientError as err:  # e.g. DatabaseUnavailable while the database starts
        driver.close()
        raise Neo4jUnreachable(f"Neo4j at {settings.uri} is not ready: {_first_line(err)}") from None
    except neo4j_errors.Neo4jError as err:
        driver.close()
        raise Neo4jUnavailable(f"Neo4j at {settings.uri} refused to answer: {_first_line(err)}") from None
    return driver


def connection_lost(err: BaseException) -> bool:
    """The connection to the server went away (server stopped, network gone, or a dropped
    connection on a live server); see :func:`server_gone` for which."""
    return isinstance(err, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired))


def server_gone(driver: neo4j.Driver, err: BaseException) -> bool:
    """``err`` lost the connection and the server does not answer a new one.

    Then another statement (marking the run failed, releasing its lock) would only wait out the
    driver's retries (30 s each) to fail the same way. A connection dropped on a live server
    (``SessionExpired`` in an auto-commit statement) is not that: the caller can still clean up.
    """
    if not connection_lost(err):
        return False
    known = getattr(err, "_livetrust_server_gone", None)
    if known is None:  # asked once per error: marking the run failed and releasing the lock both ask
        try:
            driver.verify_connectivity()
            known = False
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError):
            known = True
        err._livetrust_server_gone = known  # type: ignore[attr-defined]
    return known


@contextmanager
def connect(settings: Neo4jSettings) -> Iterator[neo4j.Driver]:
    """``with connect(settings) as driver:`` — open, check, and always close."""
    driver = open_driver(settings)
    try:
        yield driver
    finally:
        driver.close()


def run_statements(driver: neo4j.Driver, database: str, statements: list[str], **params: Any) -> None:
    """Run statements one by one in auto-commit transactions (schema changes need that)."""
    for statement in statements:
        driver.execute_query(statement.rstrip(";"), params, database_=database)


def read_chunks(driver: neo4j.Driver, database: str | None, statement: str, *, chunk_size: int,
                **params: Any) -> Iterator[list[list[Any]]]:
    """The rows of a chunked read statement, one chunk (a list of row lists) at a time.

    The statement takes ``$after`` (the last key of the previous chunk, ``''`` first) and
    ``$limit`` (keys per chunk) and returns one record: ``rows`` (a list of row lists) and
    ``last`` (the chunk's last key; null when the chunk is empty). One record per chunk
    instead of one per row: far fewer Python objects to decode, and the server holds one
    chunk at a time (see ``queries/projection/*.cypher``).

    Parameters
    ----------
    driver, database : where to read.
    statement : str
        The Cypher statement (``cypher_statement(name)``).
    chunk_size : int
        Keys per chunk (``$limit``).
    **params
        The statement's other parameters.

    Examples
    --------
    >>> for rows in read_chunks(driver, "neo4j", cypher_statement("projection/follows"), chunk_size=100_000):
    ...     print(len(rows))  # doctest: +SKIP
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")

    def read(tx: neo4j.ManagedTransaction, after: str) -> neo4j.Record | None:
        return tx.run(statement, {**params, "after": after, "limit": chunk_size}).single()

    after = ""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        while True:
            checkpoint()  # a SIGTERM stops the read between chunks, not inside the driver
            chunk = session.execute_read(read, after)
            if chunk is None or chunk["last"] is None:
                return
            yield chunk["rows"]
            after = chunk["last"]


def read_frame(driver: neo4j.Driver, database: str | None, statement: str, *, columns: list[str],
               typed: Callable[[pd.DataFrame], pd.DataFrame], chunk_size: int, **params: Any) -> pd.DataFrame:
    """All rows of a chunked read statement (:func:`read_chunks`) as one typed DataFrame.

    Each chunk's row lists become ``typed(DataFrame(rows, columns=columns))`` as the chunk
    arrives and are dropped before the next one is read: only typed columns (Arrow strings,
    numeric and time arrays) build up. Kept whole until the end, the row lists were Python
    objects of a few hundred bytes a row; the l world's 17M bonds and 10M orders held GBs of them.

    Parameters
    ----------
    driver, database, statement, chunk_size, **params
        As for :func:`read_chunks`.
    columns : list of str
        The names of the fields of each row list, in order.
    typed : callable
        Turns one chunk's frame (object columns) into the table's dtypes; it must give the same
        dtypes whatever the values, so that the chunks concatenate into one typed frame.

    Examples
    --------
    >>> bonds = read_frame(driver, "neo4j", cypher_statement("paths/trust_bonds"), columns=BOND_COLUMNS,
    ...                    typed=typed_bonds, chunk_size=50_000, score_run_id=run_id)  # doctest: +SKIP
    """
    import pandas as pd  # here, not at the top: `livetrust ping` and the like need no pandas

    frames = [typed(pd.DataFrame(rows, columns=columns))
              for rows in read_chunks(driver, database, statement, chunk_size=chunk_size, **params)]
    if not frames:
        return typed(pd.DataFrame(columns=columns))
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    del frames
    release_free_memory()
    return frame


def release_free_memory() -> None:
    """Hand memory the process has freed back to the system: glibc's heap and Arrow's pool.

    A chunked read frees every chunk's small objects between the typed columns it keeps. glibc
    keeps those holes in its heap, where the next step's large arrays (allocated by ``mmap``)
    cannot use them: after the l world's projection read, 0.7 GB of them, plus 0.24 GB that
    Arrow's pool kept (bench/results/score.md). Elsewhere than glibc, only Arrow's pool.
    """
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the process's own C library
    if trim is not None:  # glibc only (musl and macOS have none)
        trim(0)


def apply_schema(driver: neo4j.Driver, database: str) -> None:
    """Create the constraints and indexes of ``queries/schema.cypher`` (idempotent)."""
    run_statements(driver, database, schema_statements())
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]
