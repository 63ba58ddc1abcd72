"""Stopping a command on SIGTERM without losing the stop or breaking the driver.

``kill``, a cron wrapper's timeout and ``docker stop`` send SIGTERM. A command should then stop
where it is, run its ``finally`` blocks (a job in its write-back marks its run failed and gives up
its job lock) and exit ``128 + 15`` with one line on stderr.

Raising :class:`~livetrust.errors.Terminated` straight from the signal handler is not safe: the
handler runs between any two bytecodes of the main thread, and the Neo4j driver is not written
for an exception in the middle of its own code. With SIGTERM sent at a random moment of a loop of
transactions against a local server (``bench/sigterm_in_driver.py``, 200 trials each), the stop
came out as, or mixed with, a ``BufferError``, ``ClientError`` or ``ServiceUnavailable`` of the
broken connection in 98 of 200 read trials and 12 of 200 write trials; in one more write trial it
vanished and the loop went on (that run's stderr holds one driver retry, "Transaction failed and
will be retried", and one "Exception ignored in Workspace.__del__"). In CI a load printed its stop
line, went on and exited 0.

So :class:`StopOnSignal` raises the stop only where it is safe (every trial clean; the stop comes
after the transaction in flight, a median 93 ms after the signal for the reads and 12 ms for the
writes, against 6 ms):

- **Outside the driver** (no ``neo4j`` frame on the interrupted stack): at once.
- **Inside the driver**: at the next :func:`checkpoint` (the jobs' loops call it between batches
  and chunks), or at the next look that finds the main thread outside the driver: every
  :data:`LOOK_EVERY_S` seconds a watcher thread asks the main thread to look (a simulated
  :data:`LOOK_SIGNAL`, which interrupts no system call and is never confused with a second
  SIGTERM). After :data:`GRACE_S` seconds it is raised wherever it lands: a statement that streams
  for minutes must stop too.
- **A stop that vanishes** (some library caught it) is raised again at the next look. One
  on its way out (it, or an error raised while it propagated, is being handled) is left alone, so
  that cleanup code is not interrupted.
- **When the command ends** with a stop requested, it exits as stopped, whether it returned or
  failed with an error that the interruption caused.
- **A second SIGTERM** ends the process at once (``os._exit``), without cleanup: the server drops
  the query of the closed connection, and a job lock left held goes stale. A repeat of the same
  signal within :data:`REPEAT_S` is not a second one: ``timeout`` signals the command and then its
  process group, so one stop arrives twice within microseconds.
- **Inside** :func:`shielded` (a job between its switch to the new run and its files), the stop
  waits for the block's end: stopped between the two, Neo4j would name a run the files lack.

References
----------
Python documentation, ``signal``: Python signal handlers "are always executed in the main Python
thread", between bytecodes; ``_thread.interrupt_main(signum)`` simulates a signal arriving there.

Example
-------
>>> import signal
>>> stop = StopOnSignal()
>>> stop.install(signal.SIGTERM)
>>> for batch in range(3):
...     checkpoint()          # raises Terminated here once a SIGTERM came in
>>> stop.uninstall()          # raises it if the command ended while a stop was requested
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Iterator

from .errors import Terminated

LOOK_EVERY_S = 0.02
"""Seconds between two looks at a stop that has not been raised yet, or has vanished."""

LOOK_SIGNAL: int | None = getattr(signal, "SIGRTMIN", None)
"""A signal no one sends, simulated in-process (``_thread.interrupt_main``) to run a look in the
main thread. Where there is none (not Linux), a deferred stop waits for a checkpoint or the end."""

GRACE_S = 5.0
"""Seconds a stop waits for the driver to return before it is raised inside it."""

UNSAFE_PACKAGES = ("neo4j",)
"""Top-level packages whose state breaks when an exception is raised into their code."""

REPEAT_S = 1.0
"""Seconds within which the same signal again is the first one repeated, not a second stop."""

_active: StopOnSignal | None = None
_shield_depth = 0


@contextmanager
def shielded(*, finish: bool = False) -> Iterator[None]:
    """A block a stop does not interrupt: one requested inside is raised when the block ends
    (a second signal still ends the process). For short steps that must happen together.

    ``finish=True``: the block is the run's last real step (publishing it), so the stop is not
    raised at its end but at the next :func:`checkpoint`, or when the command ends: the run
    completes and is recorded as succeeded, and the process then exits as stopped."""
    global _shield_depth
    _shield_depth += 1
    try:
        yield
    finally:
        _shield_depth -= 1
    if _shield_depth == 0 and not finish:
        checkpoint()


def checkpoint() -> None:
    """Raise the requested stop, if any: called by the jobs' loops between batches, where the
    driver is not in the middle of anything. Free when no stop is requested; a no-op outside the
    main thread and when no :class:`StopOnSignal` is installed."""
    stop = _active
    if stop is not None and stop.pending is not None and threading.current_thread() is threading.main_thread() \
            and not stop.propagating() and _shield_depth == 0:
        raise stop.pending


def in_packages(frame: FrameType | None, packages: tuple[str, ...]) -> bool:
    """Does the stack from ``frame`` down hold a frame of one of ``packages``?"""
    while frame is not None:
        if frame.f_globals.get("__name__", "").split(".", 1)[0] in packages:
            return True
        frame = frame.f_back
    return False


def caused_by(err: BaseException | None, stop: BaseException | None) -> bool:
    """Is ``err`` the stop, or an error raised while the stop propagated (its context chain)?"""
    for _ in range(100):
        if err is None or stop is None:
            return False
        if err is stop:
            return True
        err = err.__context__
    return False


class StopOnSignal:
    """A signal handler that turns the first signal into :class:`Terminated`, raised only where
    it is safe (see the module docstring), and the second into an immediate exit.

    Parameters
    ----------
    echo : callable, optional
        Receives the line "livetrust: stopped by SIGTERM" at each signal [default: stderr].
    grace_s : float, default :data:`GRACE_S`
        How long a stop waits for unsafe code to return before it is raised inside it.
    look_every_s : float, default :data:`LOOK_EVERY_S`
        Delay between two looks at a stop not raised yet.
    unsafe : tuple of str, default :data:`UNSAFE_PACKAGES`
        Top-level packages the stop is not raised into before the grace is over.
    """

    def __init__(self, echo: Callable[[str], None] | None = None, *, grace_s: float = GRACE_S,
                 look_every_s: float = LOOK_EVERY_S, unsafe: tuple[str, ...] = UNSAFE_PACKAGES) -> None:
        self.echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
        self.grace_s = grace_s
        self.look_every_s = look_every_s
        self.unsafe = unsafe
        self.pending: Terminated | None = None
        self._since = 0.0
        self._installed = False
        self._look_asked = False
        self._previous: dict[int, Any] = {}

    # -- installation
    def install(self, signum: int | None = signal.SIGTERM, *more: int) -> None:
        """Handle ``signum`` (and ``more`` signals) from the main thread until :meth:`uninstall`. With
        ``None`` no signal is taken over: a handler of its own passes signals on with :meth:`request`."""
        global _active
        for sig in (signum, *more):
            if sig is not None:
                self._previous[sig] = signal.signal(sig, self._on_signal)
        if LOOK_SIGNAL is not None:
            self._previous[LOOK_SIGNAL] = signal.signal(LOOK_SIGNAL, self._on_look)
        self._installed, _active = True, self

    def uninstall(self, *, raise_stop: bool = True) -> None:
        """Restore the previous handlers. If a stop was requested and is not the exception already
        on its way out, raise it (unless ``raise_stop`` is False): the command returned, or failed
        with another error, after it."""
        global _active
        if not self._installed:
            return
        self._installed, _active = False, None  # the watcher stops; a look still due does nothing
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if raise_stop and self.pending is not None and sys.exc_info()[1] is not self.pending:
            raise self.pending

    def propagating(self) -> bool:
        """Is the stop (or an error it caused) the exception being handled right now?"""
        return caused_by(sys.exc_info()[1], self.pending)

    def request(self, signum: int, frame: FrameType | None) -> None:
        """What the installed handler does with ``signum``: for a handler that decides itself which
        signals stop (the scheduler: the first one only lets the current run finish)."""
        self._on_signal(signum, frame)

    # -- in the main thread
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        stop = Terminated(signum)
        if self.pending is not None and self.pending.code == stop.code and time.monotonic() - self._since < REPEAT_S:
            return  # the same stop again (timeout signals the command, then its process group)
        if self.pending is not None:  # the second signal: stop now, without cleanup
            self._say(stop)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(stop.code)
        self.pending, self._since = stop, time.monotonic()
        self._say(stop)
        if _shield_depth:  # a run's switch, its files and cleanup: may take minutes, and the user should know
            self._say_line("livetrust: finishing the run's publication first (its files, then the cleanup); "
                           "signal again to exit at once")
        if LOOK_SIGNAL is not None:
            threading.Thread(target=self._watch, name="livetrust-stop-watcher", daemon=True).start()
        self._raise_if_safe(frame)

    def _say(self, stop: Terminated) -> None:
        """The stop's line."""
        self._say_line(f"livetrust: {stop}")

    def _say_line(self, line: str) -> None:
        """A terminal that hung up (SIGHUP) cannot take the line, and the stop matters more."""
        try:
            self.echo(line)
        except (OSError, ValueError):
            pass

    def _on_look(self, signum: int, frame: FrameType | None) -> None:
        self._look_asked = False
        if self._installed:
            self._raise_if_safe(frame)

    def _raise_if_safe(self, frame: FrameType | None) -> None:
        if self.propagating() or _shield_depth:
            return  # cleanup is running, or a shielded block: leave it be
        if in_packages(frame, self.unsafe) and time.monotonic() - self._since < self.grace_s:
            return
        raise self.pending

    # -- in the watcher thread
    def _watch(self) -> None:
        while self._installed:
            time.sleep(self.look_every_s)
            if self._installed and not self._look_asked:
                self._look_asked = True
                _thread.interrupt_main(LOOK_SIGNAL)
