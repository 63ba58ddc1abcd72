"""``livetrust.stopping``: a SIGTERM is raised where it is safe, never lost, and the second one ends
the process. Here the "unsafe" package is a module made for the test; ``test_cli_signals.py``
sends SIGTERM into the real driver against Neo4j."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import traceback
import types
from contextlib import contextmanager

import pytest

from livetrust.errors import Terminated
from livetrust.stopping import REPEAT_S, StopOnSignal, checkpoint, shielded

UNSAFE = "unsafe_probe"


def unsafe_module() -> types.ModuleType:
    """A module whose frames count as unsafe: ``spin(seconds, at)`` sends SIGTERM to this process
    ``at`` seconds in, spins for ``seconds`` and returns "done"."""
    module = types.ModuleType(UNSAFE)
    exec(textwrap.dedent("""
        import os, signal, time
        def spin(seconds, at=0.0):
            t0 = time.monotonic()
            sent = False
            while time.monotonic() - t0 < seconds:
                if not sent and time.monotonic() - t0 >= at:
                    os.kill(os.getpid(), signal.SIGTERM)
                    sent = True
                sum(range(200))
            return "done"
    """), module.__dict__)
    return module


@contextmanager
def installed(**options):
    """A StopOnSignal for the block, uninstalled on the way out (a stop the block raised passes
    through; one it did not is raised by the uninstall, as at the end of a command)."""
    handler = StopOnSignal(echo=lambda line: None, unsafe=(UNSAFE,), **options)
    handler.install(signal.SIGTERM)
    try:
        yield handler
    finally:
        handler.uninstall()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def frames_of(err: BaseException) -> list[str]:
    return [frame.f_globals.get("__name__", "") for frame, _ in traceback.walk_tb(err.__traceback__)]


def spin_safe(seconds: float) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        sum(range(200))


def test_outside_unsafe_code_the_stop_is_raised_at_once():
    t0 = time.monotonic()
    with pytest.raises(Terminated) as err, installed() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        spin_safe(5.0)
    assert time.monotonic() - t0 < 1.0
    assert err.value.code == 128 + signal.SIGTERM and str(err.value) == "stopped by SIGTERM"
    assert err.value is stop.pending


def test_inside_unsafe_code_the_stop_waits_for_it_to_return():
    spin = unsafe_module().spin
    with pytest.raises(Terminated) as err, installed():
        assert spin(0.5, at=0.05) == "done"  # the unsafe code runs to its end
        checkpoint()
    assert UNSAFE not in frames_of(err.value)


def test_a_look_raises_the_deferred_stop_without_a_checkpoint():
    spin = unsafe_module().spin
    with pytest.raises(Terminated) as err, installed():
        spin(0.3, at=0.0)
        t_back = time.monotonic()
        spin_safe(5.0)  # no checkpoint: only a look can stop it
    assert time.monotonic() - t_back < 2.0  # a look, well before the 5 s spin ends
    assert UNSAFE not in frames_of(err.value)


def test_after_the_grace_the_stop_is_raised_inside_unsafe_code():
    spin = unsafe_module().spin
    t0 = time.monotonic()
    with pytest.raises(Terminated) as err, installed(grace_s=0.2):
        spin(10.0, at=0.0)
    assert 0.2 <= time.monotonic() - t0 < 2.0
    assert UNSAFE in frames_of(err.value)


def test_a_stop_that_some_code_swallows_is_raised_again():
    interrupted = []
    with pytest.raises(Terminated), installed():  # the uninstall raises it once more at the end
        for i in range(3):
            t0 = time.monotonic()
            try:
                if i == 0:
                    os.kill(os.getpid(), signal.SIGTERM)
                spin_safe(2.0)
            except BaseException:  # a library that catches everything
                interrupted.append(time.monotonic() - t0)
    assert len(interrupted) == 3 and max(interrupted) < 1.5  # each 2 s spin stopped by the next look


def test_cleanup_during_the_stop_is_not_interrupted():
    cleaned = []
    with pytest.raises(Terminated), installed():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            spin_safe(5.0)
        finally:
            spin_safe(0.3)  # many looks come in while this runs: none may raise
            cleaned.append(True)
    assert cleaned == [True]


def test_uninstall_raises_a_stop_the_command_outlived_and_restores_the_handler():
    handler = StopOnSignal(echo=lambda line: None, unsafe=(UNSAFE,))
    handler.install(signal.SIGTERM)
    unsafe_module().spin(0.2, at=0.0)  # deferred, and the "command" ends inside the grace
    with pytest.raises(Terminated):
        handler.uninstall()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    checkpoint()  # nothing installed: a no-op


def test_an_error_the_stop_caused_becomes_the_stop():
    handler = StopOnSignal(echo=lambda line: None)
    handler.install(signal.SIGTERM)
    with pytest.raises(Terminated) as err:
        try:
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                spin_safe(5.0)
            finally:
                raise BufferError("Existing exports of data: object cannot be re-sized")  # cleanup broke
        finally:
            handler.uninstall()
    assert isinstance(err.value.__context__, BufferError)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_checkpoint_is_free_without_a_stop():
    with installed() as stop:
        checkpoint()
    assert stop.pending is None


SECOND_SIGTERM_CHILD = """
import os, signal, sys, time
from livetrust.stopping import StopOnSignal
stop = StopOnSignal()
stop.install(signal.SIGTERM)
try:
    print("ready", flush=True)  # inside the try: the signal may come before print returns
    while True:
        time.sleep(0.01)
finally:
    print("cleaning up", flush=True)
    time.sleep(60)  # a cleanup that hangs: the second SIGTERM must end it
"""


def ready_child(tmp_path, code: str) -> subprocess.Popen:
    """A Python child running ``code``, once it has printed "ready" (its handler is installed)."""
    script = tmp_path / "child.py"
    script.write_text(code)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_the_second_signal_ends_the_process_at_once(tmp_path):
    proc = ready_child(tmp_path, SECOND_SIGTERM_CHILD)
    try:
        proc.send_signal(signal.SIGTERM)
        assert proc.stdout.readline().strip() == "cleaning up"
        time.sleep(REPEAT_S + 0.2)  # sooner, it is the first one repeated (the next test)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    err = proc.stderr.read()
    assert proc.returncode == 128 + signal.SIGTERM
    assert err.strip().splitlines() == ["livetrust: stopped by SIGTERM"] * 2


REPEATED_CHILD = """
import os, signal, sys, time
from livetrust.stopping import StopOnSignal
stop = StopOnSignal()
stop.install(signal.SIGTERM)
try:
    print("ready", flush=True)
    while True:
        time.sleep(0.01)
finally:
    print("cleaning up", flush=True)
    time.sleep(0.3)
    print("cleaned up", flush=True)
"""


def test_the_same_signal_twice_at_once_is_one_stop(tmp_path):
    """`timeout` signals the command, then its process group: one stop, delivered twice."""
    proc = ready_child(tmp_path, REPEATED_CHILD)
    try:
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert proc.stdout.read().split() == ["cleaning", "up", "cleaned", "up"]  # the cleanup ran to its end
    assert proc.returncode == 128 + signal.SIGTERM
    assert proc.stderr.read().strip().splitlines() == ["livetrust: stopped by SIGTERM"]


def test_a_stop_inside_a_shielded_block_says_it_waits():
    """Review: after a run's switch a stop waits for its files and cleanup (minutes on a large
    world) with nothing but "stopped by SIGINT" on the screen."""
    lines = []
    handler = StopOnSignal(echo=lines.append, unsafe=(UNSAFE,))
    handler.install(signal.SIGTERM)
    try:
        with pytest.raises(Terminated):
            with shielded():
                os.kill(os.getpid(), signal.SIGTERM)
                spin_safe(0.05)
    finally:
        handler.uninstall(raise_stop=False)
    assert lines == ["livetrust: stopped by SIGTERM",
                     "livetrust: finishing the run's publication first (its files, then the cleanup); "
                     "signal again to exit at once"]


def test_a_stop_inside_a_shielded_block_waits_for_its_end():
    done = []
    with pytest.raises(Terminated):
        with installed():
            with shielded():
                os.kill(os.getpid(), signal.SIGTERM)
                spin_safe(0.2)  # looks come and go: none raises here
                checkpoint()  # nor does a checkpoint
                done.append("block")
            done.append("after")  # the block's end raised the stop
    assert done == ["block"]
