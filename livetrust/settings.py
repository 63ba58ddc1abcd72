"""Connection settings for Neo4j, from the environment with explicit overrides.

The password is held but never shown: ``repr`` and ``describe`` leave it out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from .errors import Neo4jUnavailable

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and how to reach Neo4j.

    Parameters
    ----------
    uri : str
        Bolt or neo4j URI (``NEO4J_URI``).
    user : str
        User name (``NEO4J_USER``).
    password : str
        Password (``NEO4J_PASSWORD``); never printed or logged.
    database : str
        Database name (``NEO4J_DATABASE``).

    Examples
    --------
    >>> s = Neo4jSettings.from_env({"NEO4J_PASSWORD": "secret"})
    >>> "secret" in repr(s)
    False
    """

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = field(default="", repr=False)
    database: str = DEFAULT_DATABASE

    def __post_init__(self) -> None:
        # credentials in the URI (bolt://user:password@host) would be printed wherever the URI is
        # (messages, demo.json, load reports): refused here, without echoing it
        if "@" in urlsplit(self.uri).netloc:
            raise Neo4jUnavailable("NEO4J_URI must not hold credentials (user:password@): give them as "
                                   "NEO4J_USER and NEO4J_PASSWORD (or --user / --password)")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: str | None) -> "Neo4jSettings":
        env = os.environ if environ is None else environ
        base = cls(
            uri=env.get("NEO4J_URI") or DEFAULT_URI,
            user=env.get("NEO4J_USER") or DEFAULT_USER,
            password=env.get("NEO4J_PASSWORD") or "",
            database=env.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})

    def describe(self) -> str:
        """Where we connect, safe to print."""
        return f"{self.uri} (user {self.user!r}, database {self.database!r})"
