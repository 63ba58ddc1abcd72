"""An empty optional value loads as no property: never NaN, never an empty string."""

from __future__ import annotations

import pytest

from livetrust.loaders import load_folder

pytestmark = pytest.mark.integration


def test_empty_optional_text_is_no_property(neo4j_db, neo4j_settings, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "consumers.csv").write_text("consumer_id,region,registered_at\nc1,,2026-01-01T00:00:00Z\nc2,north,\n")
    (folder / "streamers.csv").write_text("streamer_id,name,category,region\ns1,,beauty,\n")
    load_folder(folder, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "report")
    records, _, _ = neo4j_db.execute_query(
        "MATCH (n) WHERE n:Consumer OR n:Streamer RETURN coalesce(n.consumer_id, n.streamer_id) AS id, properties(n) AS p ORDER BY id"
    )
    props = {r["id"]: r["p"] for r in records}
    assert set(props["c1"]) == {"consumer_id", "registered_at"}
    assert props["c2"] == {"consumer_id": "c2", "region": "north"}
    assert props["s1"] == {"streamer_id": "s1", "category": "beauty"}
