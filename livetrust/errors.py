"""Errors users see as one clear line (the CLI prints them without a traceback)."""

from __future__ import annotations

import signal

import click


def one_line(err: BaseException, limit: int = 400) -> str:
    """``err``'s message on one line: its lines joined with " | " (the driver's messages continue on
    the next line: "Couldn't connect to ...:" then the reason), or its type's name when it has none.

    >>> one_line(OSError("Couldn't connect to 127.0.0.1:7697:\\nConnection refused"))
    "Couldn't connect to 127.0.0.1:7697: | Connection refused"
    """
    text = " | ".join(line.strip() for line in str(err).splitlines() if line.strip()) or type(err).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


class LivetrustError(click.ClickException):
    """A failure the user can act on; ``str(err)`` is the whole message."""

    exit_code = 2


class Busy(LivetrustError):
    """Refused because another run of the same job holds its lock: nothing was done, try again later.

    Exit status 75 (``EX_TEMPFAIL`` of sysexits.h), so a cron wrapper or a scheduler can tell "come back
    later" from a failed run (2)."""

    exit_code = 75


class Neo4jUnavailable(LivetrustError):
    """Neo4j could not be reached or refused the credentials."""


class Neo4jUnreachable(Neo4jUnavailable):
    """Neo4j did not answer at all (not started yet, stopped, a network gone): unlike refused
    credentials or an unknown database, waiting may help."""


class InputError(LivetrustError):
    """A contract folder or file cannot be read as the contract says."""


class Terminated(SystemExit):
    """The process was asked to stop (SIGTERM): raised in the main thread so that ``finally``
    blocks and context managers run -- a job in its write-back marks its run failed and gives
    up its job lock -- and the process exits with ``128 + signal``, as the shell reports it."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name

    def __str__(self) -> str:
        return f"stopped by {self.signal_name}"
