"""The scoring job against the real Neo4j: same scores as embedded mode, written back whole."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from livetrust.graph.trust.io import MANIFEST
from livetrust.graph.trust.job import run_score_job
from livetrust.loaders import load_folder
from livetrust.world import generate_world

pytestmark = pytest.mark.integration
OUTPUTS = ("streamers", "consumer_streamer", "products", "factories")


@pytest.fixture(scope="module")
def xs_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, scale="xs", seed=11)
    return folder


def read_outputs(folder):
    return {name: pd.read_csv(folder / f"{name}.csv") for name in OUTPUTS}


def test_neo4j_mode_equals_embedded_mode_and_writes_back(neo4j_db, neo4j_settings, xs_world, tmp_path):
    load_folder(xs_world, driver=neo4j_db, database=neo4j_settings.database, report_dir=tmp_path / "load")
    embedded = run_score_job(xs_world, tmp_path / "embedded")
    first = run_score_job(None, tmp_path / "neo4j", settings=neo4j_settings)

    emb, neo = read_outputs(tmp_path / "embedded"), read_outputs(tmp_path / "neo4j")
    # the manifest keeps seconds and the write-back's counts apart
    manifest = json.loads((tmp_path / "neo4j" / MANIFEST).read_text())
    assert manifest["timings_s"]["write_back.relationships"] > 0
    assert all(isinstance(v, float) for v in manifest["timings_s"].values())
    assert set(manifest["write_back"]) == {"stale_ids_dropped", "stale_deleted", "cleanup_scans"}
    assert manifest["write_back"]["cleanup_scans"] > 0
    assert json.loads((tmp_path / "embedded" / MANIFEST).read_text())["write_back"] == {}  # nothing written back
    # the run history starts the run where the job started, not at its write-back (review: 5 s apart)
    records, _, _ = neo4j_db.execute_query("MATCH (r:JobRun {run_id: $id}) RETURN r.started_at AS at", id=first.run_id)
    assert records[0]["at"].to_native() == first.started_at
    for name in OUTPUTS:
        pd.testing.assert_frame_equal(emb[name], neo[name], check_exact=False, rtol=1e-9)

    # Bonds: one TRUSTS relationship per consumer_streamer row, with its trust.
    records, _, _ = neo4j_db.execute_query(
        "MATCH (c:Consumer)-[t:TRUSTS]->(s:Streamer) "
        "RETURN c.consumer_id AS consumer_id, s.streamer_id AS streamer_id, t.trust AS trust, t.run_id AS run_id"
    )
    bonds = pd.DataFrame([r.data() for r in records])
    assert len(bonds) == len(neo["consumer_streamer"])
    assert set(bonds["run_id"]) == {first.run_id}
    merged = bonds.merge(neo["consumer_streamer"], on=["consumer_id", "streamer_id"], suffixes=("_db", "_file"))
    assert len(merged) == len(bonds)
    assert (merged["trust_db"] - merged["trust_file"]).abs().max() < 1e-9  # CSV keeps 10 significant digits

    # Node scores with their confidence and components.
    records, _, _ = neo4j_db.execute_query(
        "MATCH (s:Streamer)-[sc:STREAMER_SCORE]->(run:JobRun) RETURN s.streamer_id AS streamer_id, sc.trust AS trust, "
        "sc.trust_confidence AS confidence, sc.return_rate AS return_rate, run.run_id AS run_id"
    )
    nodes = pd.DataFrame([r.data() for r in records]).merge(neo["streamers"], on="streamer_id", suffixes=("_db", ""))
    assert len(nodes) == len(neo["streamers"])
    assert (nodes["trust_db"] - nodes["trust"]).abs().max() < 1e-9  # CSV keeps 10 significant digits
    assert (nodes["confidence_db"] - nodes["confidence"]).abs().max() < 1e-9  # CSV keeps 10 significant digits
    assert set(nodes["run_id"]) == {first.run_id}

    # The library explains any one score with all its components (review: only the paths queries read
    # PRODUCT_SCORE / FACTORY_SCORE, and top_streamers left out reputation, the recent window, spam mass).
    from livetrust.queries.runner import run_query

    for name, key, file in (("streamer_score", "streamer_id", "streamers"), ("product_score", "product_id", "products"),
                            ("factory_score", "factory_id", "factories")):
        table = neo[file].set_index(key)
        for one in (table.index[0], table["trust"].idxmin(), table["trust"].idxmax()):
            got = run_query(name, driver=neo4j_db, settings=neo4j_settings, **{key: one})
            assert len(got) == 1 and got[key].iloc[0] == one and got["run_id"].iloc[0] == first.run_id, name
            expected = table.loc[one]
            assert set(expected.index) <= set(got.columns), (name, set(expected.index) - set(got.columns))
            for column, value in expected.items():
                found = got[column].iloc[0]
                if pd.isna(value):
                    assert pd.isna(found), (name, one, column)
                elif isinstance(value, (bool, str)):
                    assert found == value, (name, one, column)
                else:
                    assert found == pytest.approx(value, rel=1e-9, abs=1e-12), (name, one, column)

    # A second run replaces the first whole; the first's bonds stay as stock, and the history keeps both.
    def bonds_per_run():
        records, _, _ = neo4j_db.execute_query("MATCH ()-[t:TRUSTS]->() RETURN t.run_id AS run_id, count(*) AS n")
        return {r["run_id"]: r["n"] for r in records}

    def bond_ids(run_id):
        records, _, _ = neo4j_db.execute_query(
            "MATCH ()-[t:TRUSTS {run_id: $run}]->() RETURN collect(elementId(t)) AS ids", run=run_id)
        return set(records[0]["ids"])

    first_ids = bond_ids(first.run_id)
    second = run_score_job(None, None, settings=neo4j_settings)
    assert bonds_per_run() == {first.run_id: len(bonds), second.run_id: len(bonds)}
    records, _, _ = neo4j_db.execute_query(
        "MATCH (r:JobRun {job: 'score'}) RETURN r.run_id AS id, r.status AS status, r.current AS current ORDER BY r.started_at"
    )
    assert [(r["id"], r["status"], r["current"]) for r in records] == [
        (first.run_id, "succeeded", False), (second.run_id, "succeeded", True)
    ]
    # A third run writes its bonds over the first run's relationships, creating none.
    third = run_score_job(None, None, settings=neo4j_settings)
    assert bonds_per_run() == {second.run_id: len(bonds), third.run_id: len(bonds)}
    assert bond_ids(third.run_id) == first_ids
    # node scores are the current run's only: the replaced run's STREAMER_SCORE are deleted
    records, _, _ = neo4j_db.execute_query(
        "MATCH (:Streamer)-[:STREAMER_SCORE]->(run:JobRun) RETURN run.run_id AS run_id, count(*) AS n")
    assert {r["run_id"]: r["n"] for r in records} == {third.run_id: len(neo["streamers"])}


def test_an_empty_graph_is_refused_and_the_previous_files_stay(neo4j_db, neo4j_settings, xs_world, tmp_path):
    """Review of schedule: a score run on an empty database (a wrong URI or --database, a
    re-created volume) "succeeded" and replaced the previous files with empty ones; paths too."""
    from click.testing import CliRunner

    from livetrust.cli import main

    out = tmp_path / "scores"
    run_score_job(xs_world, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    r = CliRunner().invoke(main, ["score", "--out", str(out)], env=env)
    assert r.exit_code == 2 and "the graph holds no purchases or follows: nothing to score" in r.output, r.output
    r = CliRunner().invoke(main, ["paths", "--out", str(tmp_path / "paths")], env=env)
    assert r.exit_code == 2 and "the graph holds no purchases: nothing to analyse" in r.output, r.output
    history = [json.loads(line) for line in (out / "score_history.jsonl").read_text().splitlines()]
    assert [h["status"] for h in history] == ["succeeded", "failed"]
    kept = {n: b for n, b in before.items() if n != "score_history.jsonl"}
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in kept} == kept
    with neo4j_db.session(database=neo4j_settings.database) as session:
        assert session.run("MATCH (r:JobRun) RETURN count(r) AS n").single()["n"] == 0
