"""Running a job on a cron schedule, in the foreground (``livetrust schedule``).

For the docker-compose ``scheduler`` service, a systemd unit or a Kubernetes
Deployment: one long-lived process that

- wakes at every tick of a cron expression (``croniter``; standard 5 fields, in UTC,
  or 6 with seconds last, e.g. ``"* * * * * */10"``, handy for tests);
- runs the job under a file lock (``filelock``), so two runs never overlap -- not two
  schedulers, not a scheduler and a manual ``livetrust score`` on the same output.
  A tick that finds the lock taken is skipped and logged;
- logs a failed run and carries on: the next tick is the retry. Ticks missed while a
  run was going are not made up (the next tick is computed after the run);
- exits cleanly on SIGTERM / SIGINT: while waiting, at once; during a run, after that
  run finishes. A second signal aborts the run the way ``livetrust score`` stops on SIGTERM
  (:mod:`livetrust.stopping`): outside the Neo4j driver, and never between the switch to the
  new run and its files, so Neo4j and ``--out`` name the same run; the job's writes are atomic,
  so an aborted run leaves the previous results in place. Exit status 0. A third signal ends
  the process at once. The same signal repeated within a second (``timeout`` signals the
  command and its process group) counts once.

The clock and the wait are injectable, so the loop is tested without waiting for
real minutes.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from croniter import croniter
from filelock import FileLock, Timeout

from .errors import Terminated, one_line
from .joblock import JobLockBusy
from .logs import configure_logging
from .stopping import REPEAT_S, StopOnSignal

log = logging.getLogger("livetrust.schedule")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_cron(expression: str) -> str:
    """Check a cron expression (5 fields, or 6 with seconds last) that fires; returns it stripped."""
    expr = " ".join(str(expression).split())
    fields = expr.split()
    # Quartz puts the seconds first and the day of week last ("0 0 3 * * ?", "0 0 3 ? * MON-FRI"):
    # read with the seconds last, "*" there fires every second, and "?" or a day name is no second
    if len(fields) == 6 and (fields[-1] in ("*", "?") or "?" in fields or any(c.isalpha() for c in fields[-1])):
        raise ValueError(f"{expression!r} reads as Quartz's seconds-first form (here it would fire every second or "
                         f"not at all): the seconds go last (\"0 3 * * * 0\"); 5 fields (\"0 3 * * *\") fire at "
                         f"second 0")
    if not expr or len(fields) > 6 or not croniter.is_valid(expr):
        raise ValueError(f"not a valid cron expression: {expression!r} (5 fields, or 6 with seconds last; "
                         f"e.g. \"0 3 * * *\")")
    try:
        next_tick(expr, utcnow())
    except Exception:  # noqa: BLE001 - croniter's CroniterBadDateError: "0 3 31 2 *" (February 31st)
        raise ValueError(f"the cron expression {expression!r} never fires") from None
    return expr


def next_tick(expression: str, after: datetime) -> datetime:
    """The first tick of ``expression`` strictly after ``after`` (UTC)."""
    return croniter(expression, after.astimezone(timezone.utc)).get_next(datetime)


@dataclass
class Outcome:
    """One tick: ``ran`` (the job ran), ``ok`` (it succeeded), ``skipped`` (lock busy)."""

    at: datetime
    ran: bool
    ok: bool
    skipped: bool = False
    error: str | None = None
    seconds: float = 0.0


@dataclass
class Scheduler:
    """Run ``job()`` at every tick of ``cron`` (see the module docstring).

    Parameters
    ----------
    cron : str
        Cron expression, UTC.
    job : callable
        Runs one job; raising marks the run failed (logged, retried at the next tick).
    lock_path : path
        The lock file shared by every runner of this job.
    max_runs : int, optional
        Stop after this many ticks that ran the job (tests, one-off backfills).
    run_at_start : bool
        Run once right away, then follow the schedule.
    clock, wait : callables
        ``clock() -> datetime`` (UTC) and ``wait(seconds) -> bool`` (True when woken by
        a stop request); the defaults are the wall clock and an interruptible sleep.
    """

    cron: str
    job: Callable[[], Any]
    lock_path: Path
    max_runs: int | None = None
    run_at_start: bool = False
    clock: Callable[[], datetime] = utcnow
    wait: Callable[[float], bool] | None = None
    history: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cron = parse_cron(self.cron)
        self.lock_path = Path(self.lock_path)
        self._stop = threading.Event()
        self._running = False
        self._abort: StopOnSignal | None = None  # during a run: what a second signal goes to
        self._first: tuple[int | None, float] | None = None

    # ---- stopping
    def request_stop(self, signum: int | None = None, frame: Any = None) -> None:
        """Ask the loop to stop (what SIGTERM / SIGINT do); during a run, a second request aborts it."""
        name = signal.Signals(signum).name if signum else "stop request"
        if self._first is not None:
            if self._first[0] == signum and time.monotonic() - self._first[1] < REPEAT_S:
                return  # the first one repeated
            if self._running and self._abort is not None:
                if self._abort.pending is None:
                    log.warning("%s again: aborting the current run (a third signal exits at once)", name)
                self._abort.request(signum or signal.SIGTERM, frame)
                return
        self._first = (signum, time.monotonic())
        if self._running:
            log.info("%s: stopping after the current run (send it again to abort the run)", name)
        else:
            log.info("%s: stopping", name)
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _wait(self, seconds: float) -> bool:
        if self.wait is not None:
            return bool(self.wait(seconds)) or self.stopping
        return self._stop.wait(max(0.0, seconds))

    # ---- one tick
    def tick(self) -> Outcome:
        """Try to run the job once, under the lock."""
        at = self.clock()
        lock = FileLock(str(self.lock_path), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            log.warning("tick %s skipped: another run holds the lock %s", _fmt(at), self.lock_path)
            return self._record(Outcome(at, ran=False, ok=False, skipped=True, error="lock busy"))
        except OSError as err:  # e.g. the folder became read-only: the next tick tries again
            log.error("tick %s skipped: cannot take the lock %s (%s); retrying at the next tick", _fmt(at),
                      self.lock_path, err.strerror or type(err).__name__)
            return self._record(Outcome(at, ran=False, ok=False, skipped=True, error="lock failed"))
        t0 = time.perf_counter()
        self._running = True
        try:
            log.info("run started (tick %s)", _fmt(at))
            result = self._run_job()
            seconds = time.perf_counter() - t0
            ok = getattr(result, "status", "succeeded") == "succeeded"
            error = None if ok else getattr(result, "error", "failed")
            if ok:
                log.info("run succeeded in %.1f s%s", seconds, _describe(result))
            else:
                log.error("run failed in %.1f s: %s; retrying at the next tick", seconds, error)
            return self._record(Outcome(at, ran=True, ok=ok, error=error, seconds=seconds))
        except JobLockBusy as err:  # Neo4j's job lock: another runner (not through this lock file)
            log.warning("tick %s skipped: %s", _fmt(at), one_line(err))
            return self._record(Outcome(at, ran=False, ok=False, skipped=True, error="job lock busy"))
        except Terminated as err:
            seconds = time.perf_counter() - t0
            log.warning("run aborted after %.1f s (%s); the previous results stay in place", seconds, err)
            return self._record(Outcome(at, ran=True, ok=False, error=f"aborted: {err}", seconds=seconds))
        except Exception as err:  # noqa: BLE001 - a failed run must not stop the scheduler
            seconds = time.perf_counter() - t0
            message = one_line(err)
            log.error("run failed in %.1f s: %s: %s; retrying at the next tick", seconds, type(err).__name__, message)
            return self._record(Outcome(at, ran=True, ok=False, error=f"{type(err).__name__}: {message}",
                                        seconds=seconds))
        finally:
            self._running = False
            lock.release()

    def _run_job(self) -> Any:
        """``job()``, with a second signal turned into a stop raised where it is safe. A stop that came
        once the run was published lets it finish (``shielded(finish=True)``): the job returns, the run
        succeeded, and the loop ends (the first signal asked for that)."""
        self._abort = StopOnSignal(echo=lambda line: None)  # request_stop logs it
        self._abort.install(None)
        try:
            return self.job()
        finally:
            abort, self._abort = self._abort, None
            abort.uninstall(raise_stop=False)

    def _record(self, outcome: Outcome) -> Outcome:
        self.history.append(outcome)
        return outcome

    @property
    def runs(self) -> int:
        return sum(1 for o in self.history if o.ran)

    # ---- the loop
    def run(self) -> int:
        """Loop until stopped (or ``max_runs``); returns the process exit status."""
        log.info("scheduler started: cron %r (UTC), lock %s", self.cron, self.lock_path)
        if self.run_at_start and not self.stopping:
            self.tick()
        while not self.stopping and not self._done():
            due = next_tick(self.cron, self.clock())
            log.info("next run at %s", _fmt(due))
            while not self.stopping:
                left = (due - self.clock()).total_seconds()
                if left <= 0:
                    break
                if self._wait(min(left, 60.0)):
                    break
            if self.stopping:
                break
            self.tick()
        log.info("scheduler stopped after %d run(s)", self.runs)
        if self.max_runs is not None and self.history and self._done():
            last_ran = [o for o in self.history if o.ran]
            return 0 if (not last_ran or last_ran[-1].ok) else 1
        return 0

    def _done(self) -> bool:
        return self.max_runs is not None and self.runs >= self.max_runs


def _fmt(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _describe(result: Any) -> str:
    run_id = getattr(result, "run_id", None)
    return f" (run {run_id})" if run_id else ""


def install_signal_handlers(scheduler: Scheduler) -> dict[int, Any]:
    """Route SIGTERM and SIGINT to ``scheduler.request_stop``; returns the previous handlers."""
    previous = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, lambda signum, frame: scheduler.request_stop(signum, frame))
    return previous


def _check_neo4j(settings: Any) -> None:
    """Refuse at start what no tick can fix (rejected credentials, an unknown database), not hours
    later at the first tick; a server not answering yet may come up before it: a warning."""
    from .db import open_driver
    from .errors import Neo4jUnreachable
    from .settings import Neo4jSettings

    try:
        open_driver(settings or Neo4jSettings.from_env()).close()
    except Neo4jUnreachable as err:
        log.warning("%s; the scheduler starts anyway: each tick connects again", err.message)


def schedule_score(*, cron: str, data_dir: Path | None, out_dir: Path | None, file_format: str,
                   params: dict[str, Any], lock_file: Path | None = None, run_now: bool = False,
                   max_runs: int | None = None, settings: Any = None) -> int:
    """What ``livetrust schedule`` does: the scoring job on ``cron``; returns the exit status."""
    from .errors import LivetrustError
    from .files import sweep_stale_temps, writable_folder
    from .graph.trust.job import check_options, default_lock_path, run_score_job

    try:
        cron = parse_cron(cron)
    except ValueError as err:
        raise LivetrustError(str(err)) from None
    check_options(data_dir, out_dir)
    if out_dir is not None:
        writable_folder(out_dir, "--out")  # as score does: refused now, not at every tick
    lock_path = default_lock_path(out_dir, lock_file)
    writable_folder(lock_path.parent, "--lock-file's folder")
    configure_logging()
    if data_dir is None:
        _check_neo4j(settings)

    def job():
        if out_dir is not None:  # a run killed since the last tick left temp files: as score does at start
            sweep_stale_temps(out_dir)
        return run_score_job(data_dir, out_dir, file_format, params,
                             settings=None if data_dir is not None else settings, raise_errors=False)

    scheduler = Scheduler(cron, job, lock_path, max_runs=max_runs, run_at_start=run_now)
    install_signal_handlers(scheduler)
    return scheduler.run()
