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
