"""``livetrust demo`` against the real Neo4j: the same scores, paths and lists as embedded mode.

Integration test (needs NEO4J_URI ...; wipes the database it uses, see conftest.py).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from livetrust import demo
from livetrust.errors import LivetrustError
from livetrust.localneo4j import Neo4jChoice

pytestmark = pytest.mark.integration

SCORE_FILES = ("streamers", "consumer_streamer", "products", "factories")
PATH_FILES = ("factory_channels", "factory_reach", "factory_demand", "bridges")
LIST_FILES = ("consumer_streamers", "consumer_products", "factory_streamers", "streamer_products", "streamer_factories")
IDS = {c: str for c in ("consumer_id", "streamer_id", "product_id", "factory_id", "subject_id", "object_id", "via_streamer")}


def _quiet(_message: str) -> None:
    pass


def _same(folder_a, folder_b, name: str) -> None:
    a = pd.read_csv(folder_a / f"{name}.csv", dtype=IDS)
    b = pd.read_csv(folder_b / f"{name}.csv", dtype=IDS)
    assert len(a) > 0, f"{name} is empty"
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12, obj=name)


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory, driver, neo4j_settings):
    from tests.conftest import wipe
    from livetrust.db import apply_schema

    wipe(driver, neo4j_settings.database)
    apply_schema(driver, neo4j_settings.database)
    root = tmp_path_factory.mktemp("parity")
    embedded = demo.run_demo(out_dir=root / "embedded", scale="xs", seed=7, choice=Neo4jChoice(None, "embedded (test)"),
                             report=False, progress=False, echo=_quiet)
    with_neo4j = demo.run_demo(out_dir=root / "neo4j", scale="xs", seed=7,
                               choice=Neo4jChoice(neo4j_settings, f"test Neo4j ({neo4j_settings.uri})"),
                               progress=False, echo=_quiet)
    yield embedded, with_neo4j
    wipe(driver, neo4j_settings.database)


def test_neo4j_mode_loads_and_publishes(both_runs, driver, neo4j_settings):
    _, run = both_runs
    assert run.status == "succeeded" and run.mode == "neo4j"
    rec = json.loads((demo.Path(run.out_dir) / "load" / "reconciliation.json").read_text())
    assert rec["mode"] == "load" and rec["totals"]["loaded"] == rec["totals"]["read"] > 5000
    from livetrust.writeback import current_run_id

    for job in ("score", "paths", "recommend"):
        assert current_run_id(driver, neo4j_settings.database, job) is not None, f"no current {job} run in Neo4j"


def test_neo4j_and_embedded_give_identical_scores_paths_and_lists(both_runs):
    embedded, with_neo4j = both_runs
    e, n = demo.Path(embedded.out_dir), demo.Path(with_neo4j.out_dir)
    for name in SCORE_FILES:
        _same(e / "score", n / "score", name)
    for name in PATH_FILES:
        _same(e / "paths", n / "paths", name)
    for name in LIST_FILES:
        _same(e / "recommend", n / "recommend", name)
    assert embedded.picks == with_neo4j.picks
    ev_e = pd.DataFrame(json.loads((e / "evaluate" / "evaluation.json").read_text())["table"]).drop(columns=["seconds"])
    ev_n = pd.DataFrame(json.loads((n / "evaluate" / "evaluation.json").read_text())["table"]).drop(columns=["seconds"])
    pd.testing.assert_frame_equal(ev_e, ev_n, check_exact=False, rtol=1e-9)


def test_browser_queries_answer_in_neo4j(both_runs, driver, neo4j_settings):
    _, run = both_runs
    for query in demo.browser_queries(run.picks):
        records = driver.execute_query(query.cypher, query.params, database_=neo4j_settings.database).records
        assert records, f"no rows for: {query.title}"
        if "most trusted streamers" in query.title:
            # the same streamers and follower counts as the score file (current followers; ended follows
            # were counted), in its order (ties by id; rounded trust had no tie-break)
            s = pd.read_csv(demo.Path(run.out_dir) / "score" / "streamers.csv", dtype={"streamer_id": str})
            s = s.sort_values(["trust", "streamer_id"], ascending=[False, True]).head(len(records))
            assert [(r["streamer"], r["followers"]) for r in records] == list(zip(s["streamer_id"], s["followers"]))


def test_the_demo_refuses_a_database_with_other_data(both_runs, neo4j_settings, driver, tmp_path):
    _, run = both_runs
    # the same world again is fine (an idempotent reload) ...
    demo.check_database(neo4j_settings, demo.Path(run.world_dir), reset=False, echo=_quiet)
    # ... another world is not, unless --reset empties the database
    with pytest.raises(LivetrustError, match="--reset"):
        demo.check_database(neo4j_settings, tmp_path / "world-s-seed7", reset=False, echo=_quiet)


def test_reset_empties_the_database(both_runs, neo4j_settings, driver, tmp_path):
    said = []
    demo.check_database(neo4j_settings, tmp_path / "world-s-seed7", reset=True, echo=said.append)
    assert said and "deleting" in said[0]
    assert driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=neo4j_settings.database).records[0]["n"] == 0
