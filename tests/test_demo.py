"""``livetrust demo`` in embedded mode, end to end on an xs world (no Neo4j needed)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from livetrust import cli, demo
from livetrust.errors import Neo4jUnavailable
from livetrust.localneo4j import Neo4jChoice
from livetrust.settings import Neo4jSettings

CHARTS = ("chart-trust-histogram", "chart-trust-returns", "chart-factory-flow", "chart-eval-ndcg", "chart-eval-fraud")


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory):
    """`livetrust demo --embedded --scale xs` through the CLI, as a user runs it."""
    out = tmp_path_factory.mktemp("demo") / "run"
    result = CliRunner().invoke(cli.main, ["demo", "--embedded", "--scale", "xs", "--seed", "7", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out, result.output


def _cli_defaults(command) -> dict:
    return {p.name: p.default for p in command.params}


def test_stage_parameters_are_the_cli_defaults():
    assert demo.SCORE_PARAMS == {"half_life_days": _cli_defaults(cli.score)["half_life_days"]}
    paths = _cli_defaults(cli.paths)
    assert demo.PATHS_PARAMS == {k: paths[k] for k in ("top_k", "top_channels", "carry_prior", "min_bond")}
    assert demo.RECOMMEND_PARAMS == {"top": _cli_defaults(cli.recommend)["top"]}
    ev = _cli_defaults(cli.evaluate)
    assert demo.EVALUATE_PARAMS["holdout_days"] == ev["holdout_days"] and demo.EVALUATE_PARAMS["k"] == ev["k"]
    assert ",".join(demo.EVALUATE_PARAMS["baselines"]) == ev["baselines"]


def test_embedded_demo_writes_every_output_with_real_rows(embedded_run):
    out, output = embedded_run
    record = json.loads((out / "demo.json").read_text())
    assert record["status"] == "succeeded" and record["mode"] == "embedded"
    assert list(record["stages"]) == ["find neo4j", "generate", "load", "score", "paths", "recommend", "evaluate", "report"]
    world = out / "world-xs-seed7"
    assert record["world_dir"] == str(world) and (world / "truth" / "streamers.csv").is_file()

    truth_streamers = pd.read_csv(world / "truth" / "streamers.csv")
    rec = json.loads((out / "load" / "reconciliation.json").read_text())
    assert rec["mode"] == "embedded" and rec["totals"]["read"] > 5000
    t = rec["totals"]
    assert t["read"] == t["loaded"] + t["duplicate"] + t["pending"] + t["quarantined"]

    streamers = pd.read_csv(out / "score" / "streamers.csv")
    assert len(streamers) == len(truth_streamers) and streamers["trust"].between(0, 1).all()
    for name in ("consumer_streamer", "products", "factories"):
        assert len(pd.read_csv(out / "score" / f"{name}.csv")) > 0
    for name in ("factory_channels", "factory_reach", "factory_demand", "bridges"):
        assert len(pd.read_csv(out / "paths" / f"{name}.csv")) > 0
    for name in ("consumer_streamers", "consumer_products", "factory_streamers", "streamer_products", "streamer_factories"):
        frame = pd.read_csv(out / "recommend" / f"{name}.csv")
        assert len(frame) > 0 and {"subject_id", "rank", "object_id", "score", "reason"} <= set(frame.columns)
    evaluation = json.loads((out / "evaluate" / "evaluation.json").read_text())
    assert {r["method"] for r in evaluation["table"]} >= {"livetrust", "most_popular", "item_knn", "rp3beta"}

    html = (out / "report.html").read_text()
    for chart in CHARTS:
        assert f'id="{chart}"' in html
    assert "table-top-streamers" in html and "table-reconciliation" in html

    picks = record["picks"]
    assert picks["factory"] and picks["consumer"]
    assert f"Factory {picks['factory']}'s best channels" in output
    assert f"Consumer {picks['consumer']}: products to buy" in output
    assert "Top trusted streamers" in output and "embedded mode" in output.lower()
    assert ':param factory => "' + picks["factory"] + '"' in output and "MATCH (f:Factory {factory_id: $factory})" in output
    assert "livetrust query --list" in output and str(out / "report.html") in output


def test_summary_tables_come_from_the_files(embedded_run):
    out, _ = embedded_run
    top = demo.top_streamers(out, n=3)
    streamers = pd.read_csv(out / "score" / "streamers.csv", dtype={"streamer_id": str})
    assert list(top["streamer"]) == list(streamers.sort_values(["trust", "streamer_id"], ascending=[False, True])["streamer_id"].head(3))
    picks = demo.pick_examples(out)
    channels = demo.factory_channels(out, picks["factory"])
    assert list(channels["rank"]) == sorted(channels["rank"]) and len(channels) > 0
    lists = demo.consumer_lists(out, picks["consumer"])
    assert set(lists) == {"consumer_products", "consumer_streamers"} and all(len(f) > 0 for f in lists.values())


def test_second_run_reuses_the_world(embedded_run, tmp_path):
    out, _ = embedded_run
    world = out / "world-xs-seed7"
    before = (world / "purchases.csv").stat().st_mtime_ns
    assert demo.world_matches(world, "xs", 7) and not demo.world_matches(world, "xs", 8)
    assert "reusing" in demo.generate_stage(world, "xs", 7, progress=False)
    assert (world / "purchases.csv").stat().st_mtime_ns == before


def test_find_neo4j_choices(monkeypatch):
    settings = Neo4jSettings(uri="bolt://127.0.0.1:9999")
    assert demo.find_neo4j(settings, embedded=True).settings is None
    chosen = demo.find_neo4j(settings, uri_given=True)
    assert chosen.settings == settings and "9999" in chosen.how

    def fails():
        raise Neo4jUnavailable("scripts/neo4j-local could not start Neo4j: no java")

    said = []
    monkeypatch.setattr(demo, "choose_neo4j", fails)
    fallback = demo.find_neo4j(settings, echo=said.append)
    assert fallback.settings is None and "embedded" in fallback.how and said
    monkeypatch.setattr(demo, "choose_neo4j", lambda: Neo4jChoice(None, "embedded mode: no Java"))
    assert demo.find_neo4j(settings).how == "embedded mode: no Java"


def test_failed_stage_is_recorded(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("scoring exploded")

    monkeypatch.setattr(demo, "score_stage", broken)
    with pytest.raises(RuntimeError):
        demo.run_demo(out_dir=tmp_path, scale="xs", choice=Neo4jChoice(None, "embedded"), evaluate=False,
                      report=False, progress=False, echo=lambda _m: None)
    record = json.loads((tmp_path / "demo.json").read_text())
    assert record["status"] == "failed" and record["error"] == "score: scoring exploded"
    assert record["stages"]["score"]["status"] == "failed" and record["stages"]["load"]["status"] == "succeeded"


def test_browser_queries_take_ids_as_parameters():
    queries = demo.browser_queries({"factory": 'f\'1"x', "consumer": "c1"})
    top, channels, products = queries
    # ids never enter the Cypher text; Browser gets them from a :param line with quoted literals
    assert "$factory" in channels.cypher and "f'1" not in channels.cypher
    assert channels.params == {"factory": 'f\'1"x'}
    assert channels.param_lines() == [':param factory => "f\'1\\"x"']
    assert channels.title == "Factory f'1\"x's best channels, as a picture"
    assert products.param_lines() == [':param consumer => "c1"']
    assert top.param_lines() == [] and "COUNT { (s)<-[f:FOLLOWS]-() WHERE f.unfollowed_at IS NULL }" in top.cypher


def test_a_new_run_clears_the_previous_outputs(tmp_path):
    out = tmp_path / "run"
    stale = out / "evaluate"
    stale.mkdir(parents=True)
    (stale / "evaluation.json").write_text("{}")
    (out / "report.html").write_text("old")
    demo.run_demo(out_dir=out, scale="xs", choice=Neo4jChoice(None, "embedded"), evaluate=False, report=False,
                  progress=False, echo=lambda _m: None)
    assert not stale.exists() and not (out / "report.html").exists()
    assert (out / "score" / "streamers.csv").is_file()


def test_an_out_that_cannot_be_written_is_one_line(tmp_path):
    from click.testing import CliRunner

    from livetrust.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = CliRunner().invoke(main, ["demo", "--embedded", "--scale", "xs", "--out", str(blocker / "demo")])
    assert r.exit_code == 2 and "--out" in r.output and "cannot write there" in r.output and "Traceback" not in r.output
