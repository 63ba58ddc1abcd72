"""Path analysis against Neo4j: the Cypher of ``queries/paths/`` gives the Python answers.

- the hand-built world (``test_paths_world``), loaded with the real loader: Cypher answers
  equal the numbers worked out on paper, ``paths explain`` prints the same text from
  Neo4j as from the projection, and the CHANNEL write-back is stamped with its run id;
- an ``xs`` world from the generator: Python results == Cypher results for channels,
  reach (direct and prospective), demand, bridges and most trusted paths.

Trust scores are the tests' own frames, published to Neo4j with the run-publishing of
``livetrust.writeback`` (TRUSTS relationships + node properties of a ``score`` run).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from livetrust.graph.paths import (
    TrustInputs,
    build_index,
    bridges,
    compute_paths,
    explain,
    factory_channels,
    factory_demand,
    factory_reach,
    top_paths,
    write_channels,
)
from livetrust.graph.paths import cypher
from livetrust.graph.paths.inputs import trust_inputs_from_neo4j
from livetrust.graph.projection import Projection
from test_paths_world import CARRY_PRIOR, hand_projection, hand_trust, write_contract_folder

pytestmark = pytest.mark.integration

REL = 1e-9


# --------------------------------------------------------------------------- helpers


def publish_trust(driver, database: str, trust: TrustInputs, run_id: str) -> None:
    """Write the trust frames as a published ``score`` run (TRUSTS + node score relationships)."""
    from livetrust.graph.trust.job import NODE_WRITES, SCORES_CLEANUP
    from livetrust.writeback import RelationshipBatch, RunRecord, publish_run

    def conf(row, column="confidence"):
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value)

    bonds = [
        {"consumer_id": r["consumer_id"], "streamer_id": r["streamer_id"],
         "props": {k: v for k, v in {"trust": float(r["trust"]), "confidence": conf(r),
                                     "consumer_credibility": conf(r, "consumer_credibility")}.items() if v is not None}}
        for r in trust.consumer_streamer.to_dict("records")
    ]

    def nodes(frame: pd.DataFrame, key: str) -> list[dict]:
        return [{"id": r[key], "props": {k: v for k, v in {"trust": float(r["trust"]), "trust_confidence": conf(r)}.items()
                                         if v is not None}} for r in frame.to_dict("records")]

    publish_run(
        driver, database, RunRecord("score", run_id),
        relationships=[RelationshipBatch("writeback/trusts_create", "writeback/trusts_cleanup", bonds),
                       *(RelationshipBatch(statement, SCORES_CLEANUP, nodes(getattr(trust, output), key))
                         for output, (key, statement) in NODE_WRITES.items())],
    )


def load_world(driver, database: str, folder, trust: TrustInputs) -> None:
    from livetrust.loaders import load_folder

    report = load_folder(folder, driver=driver, database=database, report_dir=folder.parent / "load-report")
    totals = report.totals()
    assert totals.quarantined == 0 and totals.pending == 0, totals.as_dict()
    publish_trust(driver, database, trust, "score-test-1")


def assert_frames_equal(py: pd.DataFrame, cy: pd.DataFrame, keys: list[str]) -> None:
    """Same rows by ``keys``; integers and strings equal, floats equal to 1e-9 relative."""
    assert len(py) == len(cy), (len(py), len(cy))
    merged = py.merge(cy, on=keys, how="outer", suffixes=("_py", "_cy"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for col in py.columns:
        if col in keys:
            continue
        a, b = merged[f"{col}_py"], merged[f"{col}_cy"]
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
            assert np.allclose(a.astype(float), b.astype(float), rtol=REL, atol=1e-12, equal_nan=True), col
        else:
            left = [None if pd.isna(v) else str(v) for v in a]
            right = [None if pd.isna(v) else str(v) for v in b]
            bad = pd.Series([x != y for x, y in zip(left, right)], index=merged.index)
            assert not bad.any(), (col, merged.loc[bad, [*keys, f"{col}_py", f"{col}_cy"]].head())


def typed(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(like.columns)].copy()
    for col in like.columns:
        if pd.api.types.is_integer_dtype(like[col]):
            out[col] = out[col].astype(np.int64)
        elif pd.api.types.is_float_dtype(like[col]):
            out[col] = out[col].astype(float)
    return out


# --------------------------------------------------------------------------- hand world


@pytest.fixture
def hand_db(neo4j_db, neo4j_settings, tmp_path):
    write_contract_folder(hand_projection(), tmp_path / "hand")
    load_world(neo4j_db, neo4j_settings.database, tmp_path / "hand", hand_trust())
    return neo4j_db


def assert_hand_outputs_equal(driver, db: str, index) -> None:
    """The four outputs of the hand world from queries/paths/ equal the Python ones."""
    params = {"carry_prior": CARRY_PRIOR}
    channels = factory_channels(index)
    assert_frames_equal(channels, typed(cypher.factory_channels(driver, db), channels), ["factory_id", "streamer_id"])
    demand = factory_demand(index)
    assert_frames_equal(demand, typed(cypher.factory_demand(driver, db), demand), ["factory_id", "region", "category"])
    reach = factory_reach(index, top_k=None)
    cy_reach = pd.concat([cypher.factory_reach(driver, db, f, top_k=None, **params) for f in ("F1", "F2", "F3")])
    assert_frames_equal(reach, typed(cy_reach, reach), ["factory_id", "consumer_id"])
    b = bridges(index)
    cy_b = pd.concat([cypher.bridges(driver, db, f, **params) for f in ("F1", "F2", "F3")])
    assert_frames_equal(b, typed(cy_b, b), ["factory_id", "streamer_id"])


def test_hand_world_cypher_equals_python(hand_db, neo4j_settings):
    db = neo4j_settings.database
    index = build_index(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)
    params = {"carry_prior": CARRY_PRIOR}
    assert_hand_outputs_equal(hand_db, db, index)
    # the numbers on paper (see test_paths.py)
    f1 = cypher.factory_reach(hand_db, db, "F1", kind="prospective", **params)
    assert f1[["consumer_id", "via_streamer", "rank"]].values.tolist() == [["C4", "S2", 1]]
    assert f1["path_trust"].iloc[0] == pytest.approx(0.4 * 2 / 3)


def test_bonds_weigh_the_consumers_credibility_in_cypher_as_in_python(neo4j_db, neo4j_settings, tmp_path):
    """Every query of queries/paths/ weighs a bond by TRUSTS.consumer_credibility, as the index."""
    db = neo4j_settings.database
    trust = hand_trust({"C4": 0.1, "C1": 0.5})
    write_contract_folder(hand_projection(), tmp_path / "hand")
    load_world(neo4j_db, db, tmp_path / "hand", trust)
    index = build_index(hand_projection(), trust, carry_prior=CARRY_PRIOR)
    assert_hand_outputs_equal(neo4j_db, db, index)
    for f in ("F1", "F2", "F3"):
        for c in ("C1", "C2", "C3", "C4", "C5", "C6"):
            py = top_paths(index, f, c, 5)
            cy = cypher.top_paths(neo4j_db, db, f, c, 5, carry_prior=CARRY_PRIOR)
            assert [p.trust for p in cy] == pytest.approx([p.trust for p in py]), (f, c)
            assert [(p.streamers, p.via_consumers) for p in cy] == [(p.streamers, p.via_consumers) for p in py], (f, c)
    assert cypher.top_paths(neo4j_db, db, "F2", "C4", 1, carry_prior=CARRY_PRIOR)[0].hops[0].evidence["credibility"] == 0.1


def test_the_co_audience_index_answers_only_with_its_bond_weight_stamp(neo4j_db, neo4j_settings, tmp_path):
    """Review of the diff: an index an older version built (plain bond trusts) was mixed with the
    weighed bonds until the next paths run. The query reads an index only with the stamp; without
    it, it joins live -- the same answers as Python either way."""
    db = neo4j_settings.database
    trust = hand_trust({"C4": 0.1, "C1": 0.5})
    write_contract_folder(hand_projection(), tmp_path / "hand")
    load_world(neo4j_db, db, tmp_path / "hand", trust)
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": db}
    from livetrust.cli import main
    from livetrust.graph.paths.co_audience import BOND_WEIGHT

    r = CliRunner().invoke(main, ["paths", "--out", str(tmp_path / "paths"), "--carry-prior", str(CARRY_PRIOR)], env=env)
    assert r.exit_code == 0, r.output
    index = build_index(hand_projection(), trust, carry_prior=CARRY_PRIOR)
    shared = [(f, c) for f in ("F1", "F2", "F3") for c in ("C1", "C2", "C3", "C4", "C5", "C6")
              if (py := top_paths(index, f, c, 5)) and py[0].shared_hops == 1]
    assert shared  # the hand world has consumers reached only through a shared streamer (C6 for F1)

    def answers():
        return {pair: [round(p.trust, 12) for p in cypher.top_paths(neo4j_db, db, *pair, 5, carry_prior=CARRY_PRIOR)]
                for pair in shared}

    expected = {pair: [round(p.trust, 12) for p in top_paths(index, *pair, 5)] for pair in shared}
    with neo4j_db.session(database=db) as session:
        assert session.run("MATCH (n:CoAudience) RETURN collect(DISTINCT n.bond_weight) AS w").single()["w"] == [BOND_WEIGHT]
        assert answers() == expected  # from the index
        session.run("MATCH ()-[r:SHARES]->() SET r.via_trust = [x IN r.via_trust | 0.0]").consume()
        assert answers() != expected  # the index is what answered
        session.run("MATCH (n:CoAudience) REMOVE n.bond_weight").consume()  # an older version's index
        assert answers() == expected  # joined live


def test_hand_world_paths_and_explain_from_neo4j(hand_db, neo4j_settings):
    db = neo4j_settings.database
    index = build_index(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)
    for f in ("F1", "F2", "F3"):
        for c in ("C1", "C2", "C3", "C4", "C5", "C6"):
            py = top_paths(index, f, c, 5)
            cy = cypher.top_paths(hand_db, db, f, c, 5, carry_prior=CARRY_PRIOR)
            assert [p.trust for p in cy] == pytest.approx([p.trust for p in py]), (f, c)
            assert [(p.streamers, p.via_consumers, p.product_id) for p in cy] == \
                [(p.streamers, p.via_consumers, p.product_id) for p in py], (f, c)
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": db}
    from livetrust.cli import main

    for f, c in [("F1", "C6"), ("F2", "C1"), ("F3", "C1")]:
        out = CliRunner().invoke(main, ["paths", "explain", "--factory", f, "--consumer", c, "--carry-prior", "2"], env=env)
        assert out.exit_code == 0, out.output
        assert out.output.rstrip("\n") == explain(index, f, c), (f, c)
    out = CliRunner().invoke(main, ["paths", "explain", "--factory", "F9", "--consumer", "C1"], env=env)
    assert out.exit_code != 0 and "unknown factory 'F9'" in out.output


def test_channel_write_back_is_stamped_and_replaced(hand_db, neo4j_settings):
    db = neo4j_settings.database
    first = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR, run_id="paths-test-1")
    assert write_channels(hand_db, db, first, top=2) is None
    rows = cypher.run(hand_db, db, "top_channels", factory_id="F2", paths_run_id=None)
    assert rows["streamer_id"].tolist() == ["S3", "S2"]
    assert rows["rank"].tolist() == [1, 2] and set(rows["run_id"]) == {"paths-test-1"}
    assert rows["flow_score"].iloc[0] == pytest.approx(1.7)
    assert rows["orders"].tolist() == [1, 1]
    second = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR, run_id="paths-test-2")
    assert write_channels(hand_db, db, second, top=1) == "paths-test-1"
    records, _, _ = hand_db.execute_query(
        "MATCH (f:Factory)-[r:CHANNEL]->(s:Streamer) RETURN f.factory_id AS f, s.streamer_id AS s, r.run_id AS run "
        "ORDER BY f", database_=db)
    assert [(r["f"], r["s"], r["run"]) for r in records] == [
        ("F1", "S1", "paths-test-2"), ("F2", "S3", "paths-test-2"), ("F3", "S4", "paths-test-2")]


def test_cli_job_against_neo4j(hand_db, neo4j_settings, tmp_path):
    from livetrust.cli import main

    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    out = CliRunner().invoke(main, ["paths", "--out", str(tmp_path / "out"), "--carry-prior", "2", "--top-channels", "3"],
                             env=env)
    assert out.exit_code == 0, out.output
    assert "factory_channels 6, factory_reach 12, factory_demand 10, bridges 5" in out.output
    expected = compute_paths(hand_projection(), hand_trust(), carry_prior=CARRY_PRIOR)
    for name, frame in expected.frames().items():
        got = pd.read_csv(tmp_path / "out" / f"{name}.csv", keep_default_na=False, na_values=[""])
        keys = [c for c in ("factory_id", "streamer_id", "consumer_id", "region", "category") if c in frame.columns]
        assert_frames_equal(frame, typed(got, frame), keys)
    records, _, _ = hand_db.execute_query("MATCH ()-[r:CHANNEL]->() RETURN count(r) AS n", database_=neo4j_settings.database)
    assert records[0]["n"] == 6
    manifest = json.loads((tmp_path / "out" / "paths_manifest.json").read_text())  # seconds and counts apart
    assert manifest["timings_s"]["relationships"] > 0 and manifest["timings_s"]["cleanup"] >= 0
    assert all(isinstance(v, float) and v == round(v, 3) for v in manifest["timings_s"].values())  # ms, not 4.1e-07
    assert set(manifest["write_back"]) == {"stale_ids_dropped", "stale_deleted", "cleanup_scans"}
    # the score run it followed and every parameter, in the manifest as in the run's JobRun
    records, _, _ = hand_db.execute_query("MATCH (j:JobRun {run_id: $run}) RETURN j.parameters AS p",
                                          run=manifest["run_id"], database_=neo4j_settings.database)
    job_parameters = json.loads(records[0]["p"])
    assert manifest["score_run_id"] == job_parameters["score_run_id"] is not None
    assert manifest["parameters"]["top_channels"] == job_parameters["top_channels"] == 3
    # --top-channels 0: files only, the run above stays current (review: documented as "0: none")
    no_write = CliRunner().invoke(main, ["paths", "--out", str(tmp_path / "out0"), "--top-channels", "0"], env=env)
    assert no_write.exit_code == 0 and "nothing written back to Neo4j (--top-channels 0)" in no_write.output
    records, _, _ = hand_db.execute_query("MATCH (j:JobRun {job: 'paths', current: true}) RETURN j.run_id AS run",
                                          database_=neo4j_settings.database)
    assert [r["run"] for r in records] == [manifest["run_id"]]
    refused = CliRunner().invoke(main, ["paths", "--top-channels", "0"], env=env)
    assert refused.exit_code == 2 and "give --out DIR" in refused.output


def test_paths_files_are_staged_before_the_switch_and_a_failed_write_back_keeps_the_old_ones(
        hand_db, neo4j_settings, tmp_path, monkeypatch):
    """Review: paths wrote its four files from scratch after the switch (2.4 s on m), so a kill then
    left Neo4j on the new run and --out on the old. They are now written before the write-back
    and only renamed after the switch; a write-back that fails leaves the old files, no temp file."""
    from livetrust.cli import main
    from livetrust.graph.paths import commands

    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["paths", "--out", str(out)], env=env).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    seen = []

    def failing_write_back(*args, **kwargs):
        seen.append(sorted(p.name for p in out.iterdir() if p.name not in before))  # the staged temp files
        raise RuntimeError("neo4j went away")

    monkeypatch.setattr(commands, "write_channels", failing_write_back)
    r = CliRunner().invoke(main, ["paths", "--out", str(out), "--carry-prior", "2"], env=env)
    assert r.exit_code != 0 and isinstance(r.exception, RuntimeError)
    assert len(seen[0]) == 4 and all(name.endswith(".tmp") for name in seen[0])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_trust_inputs_round_trip(hand_db, neo4j_settings):
    got = trust_inputs_from_neo4j(hand_db, neo4j_settings.database)
    want = hand_trust()
    bonds = got.consumer_streamer.sort_values(["consumer_id", "streamer_id"]).reset_index(drop=True)
    exp = want.consumer_streamer.sort_values(["consumer_id", "streamer_id"]).reset_index(drop=True)
    assert bonds[["consumer_id", "streamer_id"]].values.tolist() == exp[["consumer_id", "streamer_id"]].values.tolist()
    assert bonds["trust"].tolist() == exp["trust"].tolist()
    assert bonds["confidence"].tolist() == exp["confidence"].tolist()
    assert bonds["consumer_credibility"].isna().all()  # publish_trust stores none: NaN, not None
    assert sorted(got.products["product_id"]) == ["P1", "P2", "P3"]
    # the embedded model's dtypes, whatever the chunking: one consumer per chunk types every chunk
    # on its own and concatenates them (read_frame)
    assert [str(t) for t in got.consumer_streamer.dtypes] == ["str", "str", "float64", "float64", "float64"]
    for chunk_size in (1, 2):
        chunked = trust_inputs_from_neo4j(hand_db, neo4j_settings.database, chunk_size=chunk_size)
        pd.testing.assert_frame_equal(chunked.consumer_streamer, got.consumer_streamer)


# --------------------------------------------------------------------------- xs world parity


def synthetic_trust(p: Projection, seed: int = 11) -> TrustInputs:
    """Random but fixed trust frames: a bond for every follow or purchase pair, some zero."""
    rng = np.random.default_rng(seed)
    pairs = pd.concat([p.follows[["consumer_id", "streamer_id"]], p.orders[["consumer_id", "streamer_id"]]])
    pairs = pairs.astype(str).drop_duplicates().sort_values(["consumer_id", "streamer_id"]).reset_index(drop=True)
    trust = rng.uniform(0.02, 1.0, len(pairs))
    trust[rng.random(len(pairs)) < 0.03] = 0.0
    pairs = pairs.assign(trust=trust, confidence=rng.uniform(0, 1, len(pairs)))
    products = p.products[["product_id"]].astype(str)
    products = products[rng.random(len(products)) < 0.9]  # some products unscored
    return TrustInputs(
        consumer_streamer=pairs,
        streamers=p.streamers[["streamer_id"]].astype(str).assign(trust=lambda d: rng.uniform(0, 1, len(d))),
        products=products.assign(trust=rng.uniform(0, 1, len(products))),
        factories=p.factories[["factory_id"]].astype(str).assign(trust=lambda d: rng.uniform(0, 1, len(d))),
    )


@pytest.fixture(scope="module")
def xs_world(tmp_path_factory):
    from livetrust.world import generate_world

    folder = tmp_path_factory.mktemp("paths-xs") / "world"
    generate_world(folder, scale="xs", seed=7)
    return folder


def test_xs_world_python_equals_cypher(xs_world, neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    projection = Projection.from_folder(xs_world)
    trust = synthetic_trust(projection)
    load_world(neo4j_db, db, xs_world, trust)
    # the projection read back from Neo4j gives the same answers as the embedded one
    from_db = Projection.from_neo4j(neo4j_db, db)
    index = build_index(from_db, trust)
    embedded = build_index(projection, trust)
    assert_frames_equal(factory_channels(embedded), factory_channels(index), ["factory_id", "streamer_id"])

    channels = factory_channels(index)
    assert_frames_equal(channels, typed(cypher.factory_channels(neo4j_db, db), channels), ["factory_id", "streamer_id"])
    demand = factory_demand(index)
    assert_frames_equal(demand, typed(cypher.factory_demand(neo4j_db, db), demand), ["factory_id", "region", "category"])

    reach = factory_reach(index, top_k=None)
    top = factory_reach(index, top_k=25)
    b = bridges(index)
    factories = sorted(index.factory_ids)
    cy_reach = pd.concat([cypher.factory_reach(neo4j_db, db, f, top_k=None) for f in factories])
    assert_frames_equal(reach, typed(cy_reach, reach), ["factory_id", "consumer_id"])
    assert (reach["kind"] == "prospective").sum() > 100 and (reach["kind"] == "direct").sum() > 100
    cy_top = pd.concat([cypher.factory_reach(neo4j_db, db, f, top_k=25) for f in factories])
    assert_frames_equal(top, typed(cy_top, top), ["factory_id", "consumer_id"])
    cy_b = pd.concat([cypher.bridges(neo4j_db, db, f) for f in factories])
    assert_frames_equal(b, typed(cy_b, b), ["factory_id", "streamer_id"])

    # most trusted paths: direct pairs, prospective pairs and pairs reached only through a shared streamer
    rng = np.random.default_rng(3)
    reached = set(zip(reach["factory_id"], reach["consumer_id"]))
    pairs = [tuple(x) for x in reach.sample(12, random_state=5)[["factory_id", "consumer_id"]].values]
    others = [(f, c) for f, c in zip(rng.choice(factories, 400), rng.choice(index.consumer_ids, 400))
              if (f, c) not in reached]
    pairs += others[:12]
    shared = 0
    for f, c in pairs:
        py = top_paths(index, f, c, 5)
        cy = cypher.top_paths(neo4j_db, db, f, c, 5, evidence=False)
        assert [p.trust for p in cy] == pytest.approx([p.trust for p in py], rel=REL), (f, c)
        assert [p.shared_hops for p in cy] == [p.shared_hops for p in py], (f, c)
        if py:
            assert (cy[0].streamers, cy[0].via_consumers, cy[0].product_id) == \
                (py[0].streamers, py[0].via_consumers, py[0].product_id), (f, c)
            shared += py[0].shared_hops
    assert shared >= 3  # the sample covers longer paths

    # the paths job's co-audience index gives the same paths as the live join (and Python)
    trust.score_run_id = "score-test-1"
    assert live_join_rows(neo4j_db, db, pairs) > 0  # no index yet: shared-streamer paths joined live
    assert plan_rows(neo4j_db, db, pairs, "OF_PRODUCT") > 0  # no carry counts yet: orders read
    write_channels(neo4j_db, db, compute_paths(from_db, trust), read_at=datetime.now(timezone.utc))
    assert live_join_rows(neo4j_db, db, pairs) == 0
    assert plan_rows(neo4j_db, db, pairs, "OF_PRODUCT") == 0  # carry trusts from the CARRIES counts
    for f, c in pairs:
        py = top_paths(index, f, c, 5)
        cy = cypher.top_paths(neo4j_db, db, f, c, 5, evidence=False)
        assert [p.trust for p in cy] == pytest.approx([p.trust for p in py], rel=REL), (f, c)
        assert [(p.streamers, p.via_consumers, p.product_id) for p in cy] == \
            [(p.streamers, p.via_consumers, p.product_id) for p in py], (f, c)
    # a min_bond the index was not built with falls back to the live join
    assert live_join_rows(neo4j_db, db, pairs, min_bond=0.05) > 0
    # a load that added rows after the count makes the carry counts stale: orders are read again
    neo4j_db.execute_query("CREATE (:LoadRun {run_id: 'late-load', finished_at: datetime(), loaded: 1})", database_=db)
    assert plan_rows(neo4j_db, db, pairs, "OF_PRODUCT") > 0
    for f, c in pairs[:6]:
        py = top_paths(index, f, c, 5)
        cy = cypher.top_paths(neo4j_db, db, f, c, 5, evidence=False)
        assert [p.trust for p in cy] == pytest.approx([p.trust for p in py], rel=REL), (f, c)
    neo4j_db.execute_query("MATCH (l:LoadRun {run_id: 'late-load'}) DELETE l", database_=db)


def live_join_rows(driver, database, pairs, **params) -> int:
    """Rows the live audience join of ``most_trusted_path`` (its ``t3`` bonds) produced over ``pairs`` (PROFILE)."""
    return plan_rows(driver, database, pairs, "t3", **params)


def plan_rows(driver, database, pairs, marker: str, **params) -> int:
    """Rows of the ``most_trusted_path`` operators whose details mention ``marker``, over ``pairs`` (PROFILE)."""
    from livetrust.queries import cypher_statement

    def rows(plan) -> int:
        own = plan.get("rows", 0) if marker in str(plan.get("args", {}).get("Details", "")) else 0
        return own + sum(rows(child) for child in plan.get("children", []))

    total = 0
    for f, c in pairs:
        query_params = {**cypher.DEFAULTS, "factory_id": f, "consumer_id": c, "top": 5, "max_hops": 1, **params}
        _, summary, _ = driver.execute_query("PROFILE " + cypher_statement("paths/most_trusted_path"),
                                             query_params, database_=database)
        total += rows(summary.profile)
    return total
