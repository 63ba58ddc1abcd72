"""Output files: atomic replacement, readable permissions, nothing left behind on failure."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from livetrust.files import atomic_write, sha256_of


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_write_gives_the_permissions_of_a_plain_open(tmp_path, umask_022):
    atomic_write(tmp_path / "a.txt", lambda tmp: tmp.write_text("x"))
    (tmp_path / "plain.txt").write_text("x")
    assert mode(tmp_path / "a.txt") == mode(tmp_path / "plain.txt") == 0o644


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write(target, lambda tmp: tmp.write_text("old"))

    def half_then_fail(tmp):
        tmp.write_text("ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert sha256_of(target) == hashlib.sha256(b"old").hexdigest()


def test_every_job_file_is_readable_by_others(tmp_path, umask_022):
    """The files of score, paths and recommend (streamed) under umask 022: 0644, as a plain
    open would make them (mkstemp's 0600 would hide them from a reader in another account)."""
    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.world import generate_world

    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=2)
    for job in ("score", "paths", "recommend"):
        out = tmp_path / job
        r = CliRunner().invoke(main, [job, "--data", str(world), "--out", str(out)])
        assert r.exit_code == 0, r.output
        files = [p for p in out.iterdir() if p.is_file()]
        assert len(files) >= 4 and {p.name: mode(p) for p in files} == {p.name: 0o644 for p in files}, job


def test_jobs_remove_the_temp_files_of_runs_that_died(tmp_path, caplog):
    """A run killed while writing leaves ``.NAME.xxxxxxxx.tmp`` (the l world's bonds file is GBs):
    the next run of any job into that folder removes those older than STALE_TEMP_AFTER_S, and only
    those (a younger one may be a running job's; other hidden files are not ours)."""
    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.files import STALE_TEMP_AFTER_S, temp_beside
    from livetrust.world import generate_world

    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=2)
    for job in ("score", "paths", "recommend"):
        out = tmp_path / job
        out.mkdir()
        stale, young = temp_beside(out / "streamers.csv"), temp_beside(out / "manifest.json")
        stale.write_bytes(b"x" * 1000)
        old = os.stat(stale).st_mtime - STALE_TEMP_AFTER_S - 60
        os.utime(stale, (old, old))
        other = out / ".notes.tmp"
        other.write_text("mine")
        os.utime(other, (old, old))
        caplog.clear()
        r = CliRunner().invoke(main, [job, "--data", str(world), "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert not stale.exists() and young.exists() and other.exists(), job
        assert f"removed 1 temp file(s) of runs that did not finish (0.0 MB): {stale.name}" in caplog.text, job


def test_parquet_columns_keep_their_types_in_a_run_without_orders(tmp_path):
    """A folder with accounts and follows but no orders gives the score files' Parquet schema of a
    world's run: ids stay text (not Arrow ``null``), gmv and weights float (not int64, numpy's
    bincount of nothing). A folder with nothing at all, or paths without purchases, is refused."""
    import shutil

    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.world import generate_world

    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=2)
    empty, follows_only = tmp_path / "empty", tmp_path / "follows_only"
    for folder in (empty, follows_only):
        folder.mkdir()
        for stream in ("factories", "streamers", "products", "consumers", "follows", "purchases", "returns"):
            header = (world / f"{stream}.csv").read_text().splitlines()[0] + "\n"
            (folder / f"{stream}.csv").write_text(header)
    for stream in ("factories", "streamers", "products", "consumers", "follows"):
        shutil.copy(world / f"{stream}.csv", follows_only / f"{stream}.csv")

    def run(job, data):
        target = tmp_path / "out" / data.name / job
        return target, CliRunner().invoke(main, [job, "--data", str(data), "--out", str(target), "--format", "parquet"])

    def schemas(target) -> dict:
        return {p.name: pq.read_schema(p).remove_metadata() for p in target.glob("*.parquet")}

    target, r = run("score", world)
    assert r.exit_code == 0, r.output
    expected = schemas(target)
    assert len(expected) == 4 and str(expected["streamers.parquet"].field("gmv").type) == "double"
    target, r = run("score", follows_only)
    assert r.exit_code == 0, r.output
    got = schemas(target)
    assert got.keys() == expected.keys()
    for name, schema in expected.items():
        assert got[name].equals(schema), (name, got[name], schema)
    for job, data, what in (("score", empty, "purchases or follows"), ("paths", follows_only, "purchases")):
        target, r = run(job, data)
        assert r.exit_code == 2 and f"holds no {what}" in r.output and "previous results stay" in r.output, r.output


def test_a_folder_whose_purchases_were_all_kept_out_is_refused_by_every_job(tmp_path):
    """Review of paths: without products.csv every purchase is pending and the jobs published empty
    lists over the previous files with exit 0 (score kept going on the follows alone)."""
    import shutil

    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.world import generate_world

    world = tmp_path / "world"
    generate_world(world, scale="xs", seed=2)
    out = tmp_path / "score"
    assert CliRunner().invoke(main, ["score", "--data", str(world), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    broken = tmp_path / "broken"
    shutil.copytree(world, broken, ignore=shutil.ignore_patterns("products.csv", "truth"))
    purchases = len((world / "purchases.csv").read_text().splitlines()) - 1
    for job in ("score", "paths", "recommend", "evaluate"):
        target = out if job == "score" else tmp_path / job
        r = CliRunner().invoke(main, [job, "--data", str(broken), "--out", str(target)])
        assert r.exit_code == 2 and f"none of the {purchases:,d} purchase rows of folder {broken} could be loaded" in \
            r.output and "product_not_yet_loaded" in r.output, (job, r.output)
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before
    r = CliRunner().invoke(main, ["paths", "explain", "--data", str(broken), "--factory", "f001", "--consumer", "c000001"])
    assert "previous results" not in r.output  # explain writes nothing: no refusal about results
