"""Lists streamed in blocks of subjects: the same rows, the same files, the same write-back."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from livetrust.graph.projection import Projection
from livetrust.graph.recommend import LISTS, export, publish, recommend, scores_from_model, verify
from livetrust.graph.recommend.export import ListFiles
from livetrust.graph.recommend.run import RecommendRun
from livetrust.writeback import current_run_id

from test_recommend_lists import tiny_projection, tiny_scores  # noqa: E402  (same folder)
from test_recommend_neo4j import recommended, seed  # noqa: E402


@pytest.fixture(scope="module")
def xs_world(tmp_path_factory):
    from livetrust.world import generate_world

    world = tmp_path_factory.mktemp("xs") / "world"
    generate_world(world, scale="xs", seed=11)
    projection = Projection.from_folder(world)
    return world, projection, scores_from_model(projection)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as object columns, a fresh index: frames compared by value."""
    cats = [c for c, d in frame.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
    return frame.astype(dict.fromkeys(cats, object)).reset_index(drop=True)


@pytest.mark.parametrize("per_block", [1, 7, 1000])
def test_blocks_are_the_whole_list_cut_by_subject(xs_world, per_block):
    _world, projection, scores = xs_world
    whole = recommend(projection, scores, top=5, run_id="r")
    run = RecommendRun(projection, scores, top=5, run_id="r")
    for name in LISTS:
        frames = list(run.blocks(name, subjects_per_block=per_block))
        n_subjects = len(run.rows[name])
        assert len(frames) == max(1, -(-n_subjects // per_block))
        for frame in frames:  # a block holds whole subjects only
            assert frame["subject_id"].nunique() <= per_block
        streamed = pd.concat([plain(f) for f in frames], ignore_index=True)
        pd.testing.assert_frame_equal(streamed, plain(whole.lists[name]), check_exact=True)
        assert run.result.row_counts[name] == len(whole.lists[name]) > 0
        # each subject's ranks are 1..n without a gap, within one block
        ranks = streamed.groupby("subject_id")["rank"].agg(["min", "max", "size"])
        assert (ranks["min"] == 1).all() and (ranks["max"] == ranks["size"]).all()


def test_a_list_without_subjects_is_one_empty_block():
    run = RecommendRun(tiny_projection(), tiny_scores(), top=3, subjects=["nobody"])
    (frame,) = run.blocks("consumer_products", subjects_per_block=2)
    assert len(frame) == 0 and list(frame.columns[:5]) == ["list", "subject_id", "rank", "object_id", "score"]
    assert run.result.row_counts["consumer_products"] == 0 and run.result.unknown_subjects == 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_streamed_files_equal_the_collected_files(xs_world, tmp_path, fmt):
    _world, projection, scores = xs_world
    export(recommend(projection, scores, top=5, run_id="r"), tmp_path / "whole", fmt)
    run = RecommendRun(projection, scores, top=5, run_id="r")
    with ListFiles(tmp_path / "streamed", fmt) as files:
        for name in run.names:
            for frame in run.blocks(name, subjects_per_block=3):
                files.write(name, frame)
        files.commit(run.result)
    whole = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    streamed = json.loads((tmp_path / "streamed" / "manifest.json").read_text())
    assert streamed["row_counts"] == whole["row_counts"]
    for name in LISTS:
        a, b = tmp_path / "whole" / f"{name}.{fmt}", tmp_path / "streamed" / f"{name}.{fmt}"
        if fmt == "parquet":  # row groups differ (one per block); the table is the same
            pd.testing.assert_frame_equal(pd.read_parquet(b), pd.read_parquet(a))
        else:
            assert b.read_bytes() == a.read_bytes(), name
            assert streamed["files"][name]["sha256"] == whole["files"][name]["sha256"]
    assert all(verify(tmp_path / "streamed").values())
    assert not list((tmp_path / "streamed").glob(".*.tmp"))


def test_cli_streams_in_blocks_with_the_same_files(xs_world, tmp_path, monkeypatch):
    """`livetrust recommend --data` in blocks of 5 subjects writes the files of a whole run."""
    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.graph.recommend import run as run_module

    world, projection, scores = xs_world
    export(recommend(projection, scores, top=4), tmp_path / "whole", "csv")
    monkeypatch.setattr(run_module, "SUBJECTS_PER_BLOCK", 5)
    r = CliRunner().invoke(main, ["recommend", "--data", str(world), "--out", str(tmp_path / "cli"), "--top", "4"])
    assert r.exit_code == 0, r.output
    for name in LISTS:
        assert (tmp_path / "cli" / f"{name}.csv").read_bytes() == (tmp_path / "whole" / f"{name}.csv").read_bytes()


def test_a_run_failing_mid_stream_publishes_no_file(xs_world, tmp_path):
    _world, projection, scores = xs_world
    export(recommend(projection, scores, top=3), tmp_path, "csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    run = RecommendRun(projection, scores, top=3)
    with pytest.raises(RuntimeError, match="lost the graph"), ListFiles(tmp_path, "csv") as files:
        for name in run.names:
            for i, frame in enumerate(run.blocks(name, subjects_per_block=4)):
                files.write(name, frame)
                if name == "consumer_products" and i == 2:
                    raise RuntimeError("lost the graph")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.integration
def test_streamed_write_back_equals_the_collected_one(neo4j_db, neo4j_settings):
    """Blocks of one subject, written by two sessions while the next block is built: the
    current run holds exactly the lists' first K ranks, and the JobRun the counts."""
    db = neo4j_settings.database
    seed(neo4j_db, db)
    whole = recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-whole")
    assert publish(neo4j_db, db, whole, batch_size=2) is None
    want = sorted((r["list"], r["subject"], r["rank"], r["object"], round(r["score"], 12), r["reason"])
                  for r in recommended(neo4j_db, db, "rec-whole") if r["rank"] <= 2)

    run = RecommendRun(tiny_projection(), tiny_scores(), top=3, run_id="rec-streamed")
    blocks_taken = []

    def first_two_ranks(name):
        for frame in run.blocks(name, subjects_per_block=1):
            blocks_taken.append(name)
            yield frame[frame["rank"] <= 2]

    lists = {name: (lambda name=name: first_two_ranks(name)) for name in run.names}
    assert publish(neo4j_db, db, run.result, lists=lists, batch_size=2, writers=2) == "rec-whole"
    got = sorted((r["list"], r["subject"], r["rank"], r["object"], round(r["score"], 12), r["reason"])
                 for r in recommended(neo4j_db, db, "rec-streamed"))
    assert got == want and len(blocks_taken) > len(LISTS)
    assert current_run_id(neo4j_db, db, "recommend") == "rec-streamed"
    records, _, _ = neo4j_db.execute_query(
        "MATCH (r:JobRun {run_id: 'rec-streamed'}) RETURN r.output_counts AS counts, r.relationships_written AS written",
        database_=db)
    assert json.loads(records[0]["counts"]) == {name: len(frame) for name, frame in whole.lists.items()}
    assert records[0]["written"] == len(want)


@pytest.mark.integration
def test_a_write_back_failing_mid_stream_leaves_the_previous_run_current(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    seed(neo4j_db, db)
    publish(neo4j_db, db, recommend(tiny_projection(), tiny_scores(), top=3, run_id="rec-a"))
    visible = sorted((r["list"], r["subject"], r["rank"], r["object"]) for r in recommended(neo4j_db, db, "rec-a"))
    run = RecommendRun(tiny_projection(), tiny_scores(), top=3, run_id="rec-b")

    def fails_on_third_block(name):
        for i, frame in enumerate(run.blocks(name, subjects_per_block=1)):
            if name == "consumer_streamers" and i == 2:
                raise RuntimeError("lost the graph")
            yield frame

    lists = {name: (lambda name=name: fails_on_third_block(name)) for name in run.names}
    with pytest.raises(RuntimeError, match="lost the graph"):
        publish(neo4j_db, db, run.result, lists=lists, batch_size=2, writers=2)
    assert current_run_id(neo4j_db, db, "recommend") == "rec-a"
    assert sorted((r["list"], r["subject"], r["rank"], r["object"])
                  for r in recommended(neo4j_db, db, "rec-a")) == visible
    records, _, _ = neo4j_db.execute_query(
        "MATCH (r:JobRun {run_id: 'rec-b'}) RETURN r.status AS status, r.error AS error", database_=db)
    assert records[0]["status"] == "failed" and "lost the graph" in records[0]["error"]
