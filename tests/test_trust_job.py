"""The scoring job: files, manifest, run history, atomicity, determinism and the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from filelock import FileLock

from livetrust.cli import main
from livetrust.graph.projection import Projection
from livetrust.graph.trust import OUTPUTS, io
from livetrust.graph.trust.job import run_score_job


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from livetrust.world import generate_world

    out = tmp_path_factory.mktemp("xs")
    generate_world(out, scale="xs", seed=11)
    return out


@pytest.fixture(scope="module")
def projection(world) -> Projection:
    return Projection.from_folder(world)


def test_files_manifest_and_history(projection, tmp_path):
    run = run_score_job(projection, tmp_path, "csv", {"half_life_days": 45})
    assert run.status == "succeeded"
    doc = json.loads((tmp_path / io.MANIFEST).read_text())
    assert doc["run_id"] == run.run_id and doc["status"] == "succeeded" and doc["job"] == "score"
    assert doc["parameters"]["half_life_days"] == 45
    assert doc["input_counts"]["orders"] == len(projection.orders)
    assert doc["started_at"] <= doc["finished_at"]
    for name in OUTPUTS:
        entry = doc["outputs"][name]
        frame = pd.read_csv(tmp_path / entry["file"])
        assert len(frame) == entry["rows"] > 0
        assert {"trust", "confidence"} <= set(frame.columns)
        assert frame["trust"].between(0, 1).all()
    assert io.verify(tmp_path) == []
    history = [json.loads(line) for line in (tmp_path / io.HISTORY).read_text().splitlines()]
    assert [h["run_id"] for h in history] == [run.run_id] and history[0]["status"] == "succeeded"
    assert not list(tmp_path.glob(".*.tmp"))


def test_same_input_gives_identical_files(projection, tmp_path):
    for fmt in ("csv", "parquet"):
        a = run_score_job(projection, tmp_path / f"a-{fmt}", fmt).manifest
        b = run_score_job(projection, tmp_path / f"b-{fmt}", fmt).manifest
        assert a["run_id"] != b["run_id"]
        assert {n: e["sha256"] for n, e in a["outputs"].items()} == {n: e["sha256"] for n, e in b["outputs"].items()}


def test_parquet_round_trip(projection, tmp_path):
    run = run_score_job(projection, tmp_path, "parquet")
    s = pd.read_parquet(tmp_path / "streamers.parquet")
    pd.testing.assert_frame_equal(s, run.model.streamers, check_dtype=False)


def test_failed_write_leaves_previous_files_in_place(projection, tmp_path, monkeypatch):
    first = run_score_job(projection, tmp_path, "csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in (".csv", ".json")}
    calls = {"n": 0}
    real = io.write_frame

    def flaky(frame, path, file_format):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(frame, path, file_format)

    monkeypatch.setattr(io, "write_frame", flaky)
    with pytest.raises(OSError):
        run_score_job(projection, tmp_path, "csv", {"half_life_days": 10})
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in (".csv", ".json")}
    assert after == before
    assert not list(tmp_path.glob(".*.tmp"))
    assert io.verify(tmp_path) == []
    history = [json.loads(line) for line in (tmp_path / io.HISTORY).read_text().splitlines()]
    assert [h["status"] for h in history] == ["succeeded", "failed"]
    assert history[0]["run_id"] == first.run_id and "disk full" in history[1]["error"]


@pytest.mark.parametrize("when", ["while writing bonds", "after the files are staged"])
def test_neo4j_mode_files_wait_for_the_write_back(projection, tmp_path, monkeypatch, when):
    """Neo4j mode stages the files beside the write-back; they replace the previous ones only
    after the run is published, and a failed write-back leaves the previous files in place."""
    from livetrust.graph.trust import job

    monkeypatch.setattr(job, "read_projection", lambda source, settings=None: projection)
    published = []

    def write_back(model, settings, run, digests=None, before_publish=None, after_publish=None, after_cleanup=None):
        before_publish()  # waits for the staged files
        published.append(run.run_id)
        after_publish()  # the run is current: the files go in place
        published.append(io.read_manifest(tmp_path)["write_back"])
        run.write_back["cleanup_scans"] = 1  # what publish_run's cleanup reports
        after_cleanup()  # the manifest again, with the cleanup

    monkeypatch.setattr(job, "write_back", write_back)
    first = run_score_job(None, tmp_path, "csv", settings=object())
    assert published == [first.run_id, {}] and first.manifest["run_id"] == first.run_id
    assert io.read_manifest(tmp_path)["run_id"] == first.run_id and io.verify(tmp_path) == []
    assert io.read_manifest(tmp_path)["write_back"] == {"cleanup_scans": 1} == first.manifest["write_back"]
    assert first.timings["write_files"] > 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in (".csv", ".json")}

    def failing(model, settings, run, digests=None, before_publish=None, after_publish=None, after_cleanup=None):
        if when == "after the files are staged":
            before_publish()
        raise RuntimeError("neo4j went away")

    monkeypatch.setattr(job, "write_back", failing)
    with pytest.raises(RuntimeError):
        run_score_job(None, tmp_path, "csv", {"half_life_days": 10}, settings=object())
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in (".csv", ".json")}
    assert after == before
    assert not list(tmp_path.glob(".*.tmp"))
    history = [json.loads(line) for line in (tmp_path / io.HISTORY).read_text().splitlines()]
    assert [h["status"] for h in history] == ["succeeded", "failed"]


def test_a_stop_during_the_publish_step_lets_the_run_finish_and_record_success(projection, tmp_path, monkeypatch):
    """SIGTERM once the run is current: its files go in place, the run is recorded as succeeded (its
    history said 'failed' while Neo4j and --out held it), and the command then exits as stopped."""
    import os
    import signal

    from livetrust.errors import Terminated
    from livetrust.graph.trust import job
    from livetrust.stopping import StopOnSignal, shielded

    monkeypatch.setattr(job, "read_projection", lambda source, settings=None: projection)

    def write_back(model, settings, run, digests=None, before_publish=None, after_publish=None, after_cleanup=None):
        before_publish()
        with shielded(finish=True):  # as publish_run: the switch, then the caller's files
            os.kill(os.getpid(), signal.SIGTERM)
            after_publish()

    monkeypatch.setattr(job, "write_back", write_back)
    stop = StopOnSignal(echo=lambda line: None)
    stop.install(signal.SIGTERM)
    with pytest.raises(Terminated):
        try:
            run = run_score_job(None, tmp_path, "csv", settings=object())
            assert run.status == "succeeded"
        finally:
            stop.uninstall()
    history = [json.loads(line) for line in (tmp_path / io.HISTORY).read_text().splitlines()]
    assert [h["status"] for h in history] == ["succeeded"] and io.read_manifest(tmp_path)["run_id"] == history[0]["run_id"]


def test_failed_read_is_recorded_and_raised(tmp_path):
    missing = tmp_path / "nope"
    missing.mkdir()
    with pytest.raises(Exception):
        run_score_job(missing / "gone", tmp_path / "out", "csv")
    record = json.loads((tmp_path / "out" / io.HISTORY).read_text().splitlines()[-1])
    assert record["status"] == "failed" and record["error"]
    assert not (tmp_path / "out" / io.MANIFEST).exists()


def test_cli_score_embedded(world, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["score", "--data", str(world), "--out", str(tmp_path), "--format", "parquet",
                                  "--half-life-days", "30"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    doc = io.read_manifest(tmp_path)
    assert doc["format"] == "parquet" and doc["parameters"]["half_life_days"] == 30
    assert all((tmp_path / f"{n}.parquet").is_file() for n in OUTPUTS)


def test_cli_score_errors_are_one_line(world, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["score", "--data", str(world)])
    assert r.exit_code == 2 and "--out" in r.output and "Traceback" not in r.output
    r = runner.invoke(main, ["score", "--data", str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "no such folder" in r.output
    r = runner.invoke(main, ["score", "--data", str(world), "--out", str(tmp_path), "--half-life-days", "0"])
    assert r.exit_code == 2


def test_cli_score_refuses_to_overlap_a_running_job(world, tmp_path):
    with FileLock(str(tmp_path / ".score.lock")):
        r = CliRunner().invoke(main, ["score", "--data", str(world), "--out", str(tmp_path)])
    assert r.exit_code == 75 and "lock" in r.output  # EX_TEMPFAIL: try later, not a failed run (2)
    assert not (tmp_path / io.MANIFEST).exists()


def test_csv_files_keep_ten_significant_digits_and_read_back(tmp_path):
    """CSV floats are written as ``%.10g`` would write them; text, booleans and gaps survive."""
    import numpy as np
    import pandas as pd

    from livetrust.graph.trust.io import write_frame

    rng = np.random.default_rng(5)
    x = np.concatenate([rng.random(5000), rng.random(500) * 1e6, rng.random(500) * 1e-6,
                        [0.0, -0.5, 1.0, 358.66, 2 / 3, np.nan, 123456789012.0]])
    frame = pd.DataFrame({"id": [f"s{i}" for i in range(len(x))], "value": x,
                          "flag": np.arange(len(x)) % 2 == 0, "count": np.arange(len(x))})
    frame.loc[0, "id"] = 'name, with "quotes"'
    path = tmp_path / "t.csv"
    write_frame(frame, path, "csv")
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    expected = np.array([float(f"{v:.10g}") for v in x])
    assert np.array_equal(back["value"].to_numpy(), expected, equal_nan=True)
    assert back["id"].tolist() == frame["id"].tolist()
    assert back["flag"].tolist() == frame["flag"].tolist() and back["count"].tolist() == frame["count"].tolist()
    assert path.read_text().splitlines()[1].endswith(",true,0")
    assert max(len(v) for v in path.read_text().split(",")) < 40  # no 17-digit floats


def test_an_out_folder_that_cannot_be_written_is_one_line_before_any_work(tmp_path):
    from click.testing import CliRunner

    from livetrust.cli import main

    (tmp_path / "afile").write_text("")
    for verb in (["score"], ["paths"], ["recommend"]):
        # Neo4j mode, where the job used to publish its run and then fail on the files: refused
        # before it connects (no server is reached at this URI)
        r = CliRunner().invoke(main, [*verb, "--out", str(tmp_path / "afile" / "sub")],
                               env={"NEO4J_URI": "bolt://127.0.0.1:9"})
        assert isinstance(r.exception, SystemExit) and r.exit_code != 0, (verb, r.output)
        assert r.output.splitlines()[-1] == f"Error: --out {tmp_path / 'afile' / 'sub'}: cannot write there (Not a directory)"
