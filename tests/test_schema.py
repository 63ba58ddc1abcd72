"""Round trip through a real Neo4j: schema from queries/schema.cypher, write, read, drop."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from livetrust.db import apply_schema
from livetrust.queries import schema_statements

pytestmark = pytest.mark.integration


def test_schema_file_is_idempotent_and_complete(neo4j_db, neo4j_settings):
    apply_schema(neo4j_db, neo4j_settings.database)  # second time: must not fail
    records, _, _ = neo4j_db.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    names = set(records[0]["names"])
    expected = {s.split()[2] for s in schema_statements() if s.startswith("CREATE CONSTRAINT")}
    assert expected <= names


def test_schema_drops_the_run_id_indexes_an_older_version_made(neo4j_db, neo4j_settings):
    """Databases written before the cleanup scanned the type carry range indexes on the run_id of
    TRUSTS and RECOMMENDED, which bloat under reruns; applying the schema removes them and keeps
    every index the file creates."""
    db = neo4j_settings.database
    for name, rel in (("trusts_run", "TRUSTS"), ("recommended_run", "RECOMMENDED")):
        neo4j_db.execute_query(f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.run_id)", database_=db)
    apply_schema(neo4j_db, db)
    records, _, _ = neo4j_db.execute_query("SHOW INDEXES YIELD name RETURN collect(name) AS names", database_=db)
    names = set(records[0]["names"])
    assert not names & {"trusts_run", "recommended_run"}
    created = {s.split()[2] for s in schema_statements() if s.startswith("CREATE INDEX")}
    assert created and created <= names


def test_round_trip_nodes_and_uniqueness(neo4j_db):
    rows = [{"id": f"s{i}", "name": f"Streamer {i}"} for i in range(50)]
    neo4j_db.execute_query(
        "UNWIND $rows AS row MERGE (s:Streamer {streamer_id: row.id}) SET s.name = row.name", rows=rows
    )
    records, _, _ = neo4j_db.execute_query(
        "MATCH (s:Streamer) RETURN s.streamer_id AS id, s.name AS name ORDER BY id"
    )
    assert sorted((r["id"], r["name"]) for r in records) == sorted((r["id"], r["name"]) for r in rows)
    with pytest.raises(ConstraintError):
        neo4j_db.execute_query("CREATE (:Streamer {streamer_id: 's7'})")
    neo4j_db.execute_query("MATCH (s:Streamer) DETACH DELETE s")
    records, _, _ = neo4j_db.execute_query("MATCH (s:Streamer) RETURN count(s) AS n")
    assert records[0]["n"] == 0
