"""``livetrust schedule``: cron ticks, the lock, retry on the next tick, clean exit on SIGTERM.

The loop itself is tested in-process with a fake clock; a few short subprocess tests
run the real command with a cron of one tick per second (6 fields, seconds last).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from filelock import FileLock

from livetrust.cli import main
from livetrust.schedule import Scheduler, install_signal_handlers, next_tick, parse_cron


class FakeClock:
    """``clock()`` and ``wait(seconds)`` that jump instead of sleeping."""

    def __init__(self, start: datetime):
        self.now = start
        self.waits = 0
        self.on_wait = None

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits += 1
        if self.on_wait:
            self.on_wait()
        self.now += timedelta(seconds=seconds)
        return False


START = datetime(2026, 3, 1, 1, 30, tzinfo=timezone.utc)


def make(tmp_path, job, **kw) -> tuple[Scheduler, FakeClock]:
    clock = FakeClock(START)
    s = Scheduler(kw.pop("cron", "0 3 * * *"), job, tmp_path / "job.lock", clock=clock, wait=clock.wait, **kw)
    return s, clock


def run_handling_signals(s: Scheduler) -> int:
    """``s.run()`` with SIGTERM / SIGINT routed to it, as the command does."""
    previous = install_signal_handlers(s)
    try:
        return s.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def test_cron_parsing():
    assert parse_cron("  0 3 * * * ") == "0 3 * * *"
    assert next_tick("0 3 * * *", START) == datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)
    assert next_tick("*/15 * * * *", START) == datetime(2026, 3, 1, 1, 45, tzinfo=timezone.utc)
    for bad in ("", "0 3 * *", "61 * * * *", "every day"):
        with pytest.raises(ValueError):
            parse_cron(bad)
    # Quartz puts the seconds first: "0 0 3 * * *" would fire every second of 00:00 on the 3rd
    for quartz in ("0 0 3 * * *", "0 0 3 * * ?", "0 0 3 ? * MON-FRI"):
        with pytest.raises(ValueError, match="the seconds go last"):
            parse_cron(quartz)
    assert parse_cron("0 3 * * * 30") == "0 3 * * * 30"


def test_credentials_neo4j_refuses_stop_the_scheduler_at_start(neo4j_settings, tmp_path):
    """Review of schedule: a wrong password started the scheduler and failed hours later at the
    first tick; a server that does not answer yet only warns (it may come up before the tick)."""
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": "not-the-password-7731", "NEO4J_DATABASE": neo4j_settings.database}
    r = CliRunner().invoke(main, ["schedule", "--cron", "0 3 * * *", "--out", str(tmp_path / "a")], env=env)
    assert r.exit_code == 2 and "rejected the credentials" in r.output, r.output
    assert "not-the-password-7731" not in r.output


def test_a_neo4j_not_answering_at_start_is_a_warning(tmp_path):
    log = tmp_path / "log"
    env = {**os.environ, "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    with open(log, "w") as fh:
        rc = subprocess.run([sys.executable, "-m", "livetrust.cli", "schedule", "--cron", "0 3 * * *", "--out",
                             str(tmp_path / "out"), "--run-now", "--max-runs", "1"], stdout=fh, stderr=subprocess.STDOUT,
                            env=env, timeout=120).returncode
    text = log.read_text()
    assert "cannot reach Neo4j" in text and "the scheduler starts anyway" in text, text
    assert rc == 1 and "run failed" in text, text  # the run at start could not reach it either


def test_runs_at_each_tick(tmp_path):
    ran = []
    s, clock = make(tmp_path, lambda: ran.append(clock.now), max_runs=3)
    assert s.run() == 0
    assert ran == [datetime(2026, 3, d, 3, 0, tzinfo=timezone.utc) for d in (1, 2, 3)]


def test_failed_run_is_logged_and_retried_at_the_next_tick(tmp_path, caplog):
    calls = []

    def job():
        calls.append(clock.now)
        if len(calls) == 1:
            raise RuntimeError("Neo4j went away")
        return SimpleNamespace(status="succeeded", run_id="r2")

    s, clock = make(tmp_path, job, max_runs=2)
    with caplog.at_level("INFO", logger="livetrust.schedule"):
        assert s.run() == 0
    assert [o.ok for o in s.history] == [False, True]
    assert calls[1] - calls[0] == timedelta(days=1)
    assert "Neo4j went away" in caplog.text and "next tick" in caplog.text


def test_a_job_reporting_failure_counts_as_failed(tmp_path):
    s, _ = make(tmp_path, lambda: SimpleNamespace(status="failed", error="bad input"), max_runs=1)
    assert s.run() == 1
    assert s.history[0].error == "bad input"


def test_busy_lock_skips_the_tick(tmp_path, caplog):
    other = FileLock(str(tmp_path / "job.lock"))
    other.acquire()
    ran = []
    s, clock = make(tmp_path, lambda: ran.append(clock.now), max_runs=1)

    def release_after_the_skip():
        if s.history and s.history[-1].skipped and other.is_locked:
            other.release()

    clock.on_wait = release_after_the_skip
    with caplog.at_level("INFO", logger="livetrust.schedule"):
        assert s.run() == 0
    assert [o.skipped for o in s.history] == [True, False]
    assert ran == [datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)]
    assert "lock" in caplog.text


def test_lock_is_held_during_the_run_and_released_after(tmp_path):
    seen = {}

    def job():
        probe = FileLock(str(tmp_path / "job.lock"), timeout=0)
        try:
            probe.acquire()
            seen["free"] = True
            probe.release()
        except Exception:
            seen["free"] = False

    s, _ = make(tmp_path, job, max_runs=1)
    s.run()
    assert seen["free"] is False
    probe = FileLock(str(tmp_path / "job.lock"), timeout=0)
    probe.acquire()
    probe.release()


def test_sigterm_during_a_run_lets_it_finish_then_stops(tmp_path):
    done = []

    def job():
        os.kill(os.getpid(), signal.SIGTERM)
        done.append(True)
        return SimpleNamespace(status="succeeded")

    s, _ = make(tmp_path, job)  # no max_runs: only the signal stops it
    assert run_handling_signals(s) == 0
    assert done == [True] and s.runs == 1


def test_a_second_signal_aborts_the_run(tmp_path):
    slept = []

    def job():
        t0 = time.monotonic()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        finally:
            slept.append(time.monotonic() - t0)

    s, _ = make(tmp_path, job)
    assert run_handling_signals(s) == 0
    assert slept[0] < 1 and s.history[-1].error == "aborted: stopped by SIGINT" and s.runs == 1
    FileLock(str(tmp_path / "job.lock"), timeout=0).acquire()  # released on the way out


def test_a_second_signal_waits_for_a_shielded_step_and_a_repeat_is_not_a_second(tmp_path):
    """Between a run's switch in Neo4j and its files (``stopping.shielded``) an abort waits: it
    raised SystemExit in the middle and left Neo4j and --out naming different runs (review). The
    same signal again within a second (``timeout`` and its process group) does not abort."""
    from livetrust.stopping import shielded

    steps = []

    def job():
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # the repeat: the run goes on
        time.sleep(0.2)
        steps.append("not aborted by the repeat")
        with shielded():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)
            steps.append("shielded step done")
        steps.append("after the shield")  # not reached: the abort is raised as the block ends
        return SimpleNamespace(status="succeeded")

    s, _ = make(tmp_path, job)
    assert run_handling_signals(s) == 0
    assert steps == ["not aborted by the repeat", "shielded step done"]
    assert s.history[-1].error == "aborted: stopped by SIGINT"


def test_an_abort_during_the_publish_step_lets_the_run_finish_as_succeeded(tmp_path):
    """Publishing (``shielded(finish=True)``) is a run's last real step: a second signal there waits
    for it and the run completes; it was recorded as aborted while Neo4j and --out held it (review)."""
    from livetrust.stopping import checkpoint, shielded

    steps = []

    def job():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)
        with shielded(finish=True):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)
            steps.append("published")
        steps.append("recorded")
        return SimpleNamespace(status="succeeded")

    s, _ = make(tmp_path, job)
    assert run_handling_signals(s) == 0
    assert steps == ["published", "recorded"] and s.history[-1].ok and s.runs == 1
    checkpoint()  # the stop went with the run: nothing left pending


def test_cron_that_never_fires_and_lock_errors_are_one_line(tmp_path, xs_world):
    for cron in ("0 3 31 2 *", "0 0 1 1 * 0 2020"):
        r = CliRunner().invoke(main, ["schedule", "--cron", cron, "--data", str(xs_world), "--out", str(tmp_path / "o")])
        assert r.exit_code == 2 and "cron" in r.output and "Traceback" not in r.output, r.output
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = CliRunner().invoke(main, ["schedule", "--cron", "0 3 * * *", "--data", str(xs_world), "--out", str(tmp_path / "o"),
                                  "--lock-file", str(blocker / "x.lock")])
    assert r.exit_code == 2 and "--lock-file's folder" in r.output, r.output


def test_a_lock_that_cannot_be_taken_skips_the_tick_and_the_next_one_retries(tmp_path, caplog):
    ran = []
    s, _ = make(tmp_path, lambda: ran.append(1), max_runs=1)
    (tmp_path / "a-file").write_text("")
    s.lock_path = tmp_path / "a-file" / "job.lock"  # OSError (not a folder), not Timeout
    first = s.tick()
    assert first.skipped and first.error == "lock failed" and not ran and "cannot take the lock" in caplog.text
    s.lock_path = tmp_path / "job.lock"
    assert s.tick().ok and ran == [1]


def test_neo4j_job_lock_busy_skips_the_tick(tmp_path, caplog):
    from livetrust.joblock import JobLockBusy

    def job():
        raise JobLockBusy("another score run, score-1 on host h, is writing")

    s, _ = make(tmp_path, job, max_runs=1)
    out = s.tick()
    assert out.skipped and not out.ran and s.runs == 0 and "skipped: another score run" in caplog.text


def test_run_at_start(tmp_path):
    ran = []
    s, clock = make(tmp_path, lambda: ran.append(clock.now), max_runs=2, run_at_start=True)
    s.run()
    assert ran == [START, datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)]


def test_cli_rejects_a_bad_cron(tmp_path):
    r = CliRunner().invoke(main, ["schedule", "--cron", "every night", "--data", str(tmp_path), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "cron" in r.output


# ---- the real command in a subprocess
@pytest.fixture(scope="module")
def xs_world(tmp_path_factory) -> Path:
    from livetrust.world import generate_world

    out = tmp_path_factory.mktemp("xs-world")
    generate_world(out, scale="xs", seed=5)
    return out


def _start(args, log: Path) -> subprocess.Popen:
    fh = open(log, "w")
    return subprocess.Popen([sys.executable, "-m", "livetrust.cli", "schedule", *args], stdout=fh, stderr=subprocess.STDOUT)


def _wait_for(log: Path, text: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        content = log.read_text() if log.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the scheduler's log:\n{log.read_text()}")


def _history(out: Path) -> list[dict]:
    path = out / "score_history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_subprocess_runs_on_schedule_and_exits_after_max_runs(xs_world, tmp_path):
    out = tmp_path / "scores"
    proc = _start(["--cron", "* * * * * */1", "--data", str(xs_world), "--out", str(out), "--max-runs", "2"],
                  tmp_path / "log")
    assert proc.wait(timeout=90) == 0, (tmp_path / "log").read_text()
    assert [h["status"] for h in _history(out)] == ["succeeded", "succeeded"]
    assert (out / "score_manifest.json").is_file()


def test_subprocess_sigterm_while_waiting_exits_cleanly(xs_world, tmp_path):
    log = tmp_path / "log"
    proc = _start(["--cron", "0 3 * * *", "--data", str(xs_world), "--out", str(tmp_path / "scores")], log)
    try:
        _wait_for(log, "next run at")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - t0 < 10
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stopping" in log.read_text() and "Traceback" not in log.read_text()


def test_subprocess_waits_for_the_lock_of_another_run(xs_world, tmp_path):
    out = tmp_path / "scores"
    out.mkdir()
    log = tmp_path / "log"
    other = FileLock(str(out / ".score.lock"))
    other.acquire()
    proc = _start(["--cron", "* * * * * */1", "--data", str(xs_world), "--out", str(out), "--max-runs", "1"], log)
    try:
        _wait_for(log, "skipped")
        assert _history(out) == []
        other.release()
        assert proc.wait(timeout=60) == 0, log.read_text()
    finally:
        if other.is_locked:
            other.release()
        if proc.poll() is None:
            proc.kill()
    assert [h["status"] for h in _history(out)] == ["succeeded"]


def test_subprocess_failed_run_is_retried_on_the_next_tick(xs_world, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(xs_world, data, ignore=shutil.ignore_patterns("truth"))
    good = (data / "purchases.csv").read_bytes()
    (data / "purchases.csv").write_text("this is not a purchases file\n")
    out = tmp_path / "scores"
    log = tmp_path / "log"
    proc = _start(["--cron", "* * * * * */2", "--data", str(data), "--out", str(out), "--max-runs", "2"], log)
    try:
        _wait_for(log, "run failed")
        (data / "purchases.csv").write_bytes(good)
        assert proc.wait(timeout=90) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [h["status"] for h in _history(out)] == ["failed", "succeeded"]
    assert "next tick" in log.read_text()


@pytest.fixture
def restore_logging():
    """configure_logging() changes the process's loggers (no propagation: caplog would go blind)."""
    import logging

    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
             for n in ("livetrust", "neo4j")}
    yield
    for n, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(n)
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def test_logging_puts_each_event_on_one_line_the_drivers_too(capsys, restore_logging):
    import logging

    from livetrust.schedule import configure_logging

    configure_logging()
    logging.getLogger("neo4j.pool").warning("Transaction failed and will be retried in 2.2s (Couldn't "
                                            "connect):\nFailed to establish connection")
    logging.getLogger("neo4j.io").info("not shown: the driver's chatter below WARNING")
    logging.getLogger("livetrust.schedule").info("next run at 2026-03-01T03:00:00Z")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[0].endswith("neo4j.pool WARNING Transaction failed and will be retried in "
                                                 "2.2s (Couldn't connect): | Failed to establish connection")
    assert lines[1].endswith("livetrust.schedule INFO next run at 2026-03-01T03:00:00Z")


def test_a_failed_run_is_logged_with_the_whole_reason_on_one_line(tmp_path, caplog):
    """The driver's messages put the reason on the next line ("Couldn't connect to ...:" then
    "Connection refused"): only the first line was kept, ending in a dangling colon."""
    def job():
        raise OSError("Couldn't connect to 127.0.0.1:7697 (resolved to ('127.0.0.1:7697',)):\n"
                      "Failed to establish connection: [Errno 111] Connection refused")

    s, _ = make(tmp_path, job, max_runs=1)
    out = s.tick()
    assert out.error == ("OSError: Couldn't connect to 127.0.0.1:7697 (resolved to ('127.0.0.1:7697',)): | "
                         "Failed to establish connection: [Errno 111] Connection refused")
    assert "Connection refused; retrying at the next tick" in caplog.text


def test_each_tick_removes_temp_files_a_killed_run_left(xs_world, tmp_path, monkeypatch, restore_logging):
    """The scheduler starts once and runs for months: a run killed after it started (out of memory)
    left its temp files, which only a new start removed."""
    from livetrust import schedule
    from livetrust.files import STALE_TEMP_AFTER_S, temp_beside

    out = tmp_path / "out"
    stale = []

    def one_tick(self):  # the start's checks are done: a killed run leaves a temp file, then a tick
        path = temp_beside(out / "consumer_streamer.csv")
        old = time.time() - STALE_TEMP_AFTER_S - 60
        os.utime(path, (old, old))
        stale.append(path)
        return 0 if self.tick().ok else 1

    monkeypatch.setattr(schedule.Scheduler, "run", one_tick)
    monkeypatch.setattr(schedule, "install_signal_handlers", lambda scheduler: {})  # leave the process's handlers
    assert schedule.schedule_score(cron="0 3 * * *", data_dir=xs_world, out_dir=out, file_format="csv", params={}) == 0
    assert stale and not stale[0].exists() and (out / "score_manifest.json").exists()
