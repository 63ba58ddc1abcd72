"""Shared fixtures. Integration tests talk to a real Neo4j over Bolt.

Neo4j comes from the environment (``NEO4J_URI`` ...), as ``.ci/run`` sets it after
``scripts/neo4j-local start``. A missing Neo4j fails the test with one clear line; it
never skips. Integration tests wipe the database they use, so they refuse any URI that
is not on this machine.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from livetrust.db import apply_schema, open_driver
from livetrust.errors import Neo4jUnavailable
from livetrust.settings import Neo4jSettings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def neo4j_settings() -> Neo4jSettings:
    settings = Neo4jSettings.from_env()
    host = urllib.parse.urlparse(settings.uri).hostname
    if host not in LOOPBACK:
        pytest.fail(f"integration tests wipe their database; NEO4J_URI must be on this machine, not {host!r}")
    return settings


@pytest.fixture(scope="session")
def driver(neo4j_settings):
    try:
        drv = open_driver(neo4j_settings)
    except Neo4jUnavailable as err:
        pytest.fail(f"Neo4j is required for integration tests: {err.message}", pytrace=False)
    yield drv
    drv.close()


def wipe(driver, database: str) -> None:
    """Delete everything: relationships first (a hub's DETACH DELETE can exhaust transaction
    memory), then nodes. CALL IN TRANSACTIONS needs an auto-commit transaction."""
    with driver.session(database=database) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


@pytest.fixture
def neo4j_db(driver, neo4j_settings):
    """An empty database with the livetrust schema; wiped again afterwards."""
    wipe(driver, neo4j_settings.database)
    apply_schema(driver, neo4j_settings.database)
    yield driver
    wipe(driver, neo4j_settings.database)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
