"""Log lines on stderr: one line per event, the Neo4j driver's multi-line warnings too."""

from __future__ import annotations

import logging
import sys
import time


class OneLineFormatter(logging.Formatter):
    """A record on one line: the Neo4j driver's messages span several ("...will be retried in
    2.2s (Couldn't connect ...):\nFailed to establish connection ...")."""

    def format(self, record: logging.LogRecord) -> str:
        return " | ".join(line for line in super().format(record).splitlines() if line.strip())


def one_line_formatter() -> OneLineFormatter:
    """Timestamp (UTC), logger, level, message: one line."""
    formatter = OneLineFormatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    return formatter


def configure_logging(level: int = logging.INFO) -> None:
    """One line per event on stderr, UTC timestamps (what a container log wants), ours and the
    Neo4j driver's warnings alike."""
    handler = _CurrentStderr()
    handler.setFormatter(one_line_formatter())
    for name, at in (("livetrust", level), ("neo4j", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(at)
        logger.propagate = False


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a CLI test runner swaps it per command)."""

    @property
    def stream(self):  # noqa: D401 - logging reads and sets this attribute
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def one_line_driver_warnings() -> None:
    """The driver's warnings (a lost server: "Transaction failed and will be retried in 2.2s (...):"
    then the reason on the next line, every retry) as one line each, for the CLI's commands. Left
    alone when the driver's logger already has a handler (``configure_logging``, an application's)."""
    logger = logging.getLogger("neo4j")
    if logger.handlers:
        return
    handler = _CurrentStderr()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(one_line_formatter())
    logger.addHandler(handler)
