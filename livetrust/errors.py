"""Errors users see as one clear line (the CLI prints them without a traceback)."""

from __future__ import annotations

import click


class LivetrustError(click.ClickException):
    """A failure the user can act on; ``str(err)`` is the whole message."""

    exit_code = 2


class Neo4jUnavailable(LivetrustError):
    """Neo4j could not be reached or refused the credentials."""


class InputError(LivetrustError):
    """A contract folder or file cannot be read as the contract says."""
