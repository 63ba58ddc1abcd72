"""Finding a Neo4j for ``livetrust demo``: the configured one, else the local one.

Order: ``NEO4J_URI`` if set; else the project's ``scripts/neo4j-local`` (Neo4j 5.26 from
Maven Central, needs ``java`` and ``mvn``; installed with the package as ``livetrust.scripts``);
else none, and the caller runs embedded, saying why.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .errors import Neo4jUnavailable
from .settings import Neo4jSettings

# the source checkout's scripts/ folder, or the installed package's livetrust/scripts/
SCRIPT = Path(str(files("livetrust.scripts") / "neo4j-local"))


@dataclass(frozen=True)
class Neo4jChoice:
    """Which Neo4j the demo uses; ``settings`` is None in embedded mode."""

    settings: Neo4jSettings | None
    how: str


def local_missing() -> list[str]:
    """What the local Neo4j lacks on this machine ([] when it can start)."""
    missing = [] if SCRIPT.is_file() else [f"its script ({SCRIPT})"]
    return missing + [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def local_command(verb: str) -> str:
    """How to run the local Neo4j script here: ``scripts/neo4j-local start`` in a source checkout, its
    installed path otherwise (for messages)."""
    in_checkout = SCRIPT.parent.name == "scripts" and (SCRIPT.parents[1] / "pyproject.toml").is_file()
    return f"scripts/neo4j-local {verb}" if in_checkout else f"bash {shlex.quote(str(SCRIPT))} {verb}"


def start_local() -> Neo4jSettings:
    """Start (or reuse) the project's local Neo4j and return its settings."""
    # through bash: an installed package's data files may have lost their executable bit
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        tail = (started.stderr.strip().splitlines() or ["no output"])[0]
        raise Neo4jUnavailable(f"{local_command('start')} could not start Neo4j: {tail}")
    env = subprocess.run(["bash", str(SCRIPT), "env"], capture_output=True, text=True, check=True).stdout
    return Neo4jSettings.from_env(parse_exports(env))


def parse_exports(text: str) -> dict[str, str]:
    """``export K=V`` lines (as ``scripts/neo4j-local env`` prints them) to a dict."""
    values = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            values[key] = value
    return values


def choose_neo4j(environ: dict[str, str] | None = None, *, allow_start: bool = True) -> Neo4jChoice:
    env = os.environ if environ is None else environ
    if env.get("NEO4J_URI"):
        return Neo4jChoice(Neo4jSettings.from_env(dict(env)), f"NEO4J_URI ({env['NEO4J_URI']})")
    missing = local_missing()
    if allow_start and not missing:
        settings = start_local()
        return Neo4jChoice(settings, f"the local Neo4j from scripts/neo4j-local ({settings.uri})")
    why = "not asked to start one" if not allow_start else f"the local Neo4j needs {' and '.join(missing)}"
    return Neo4jChoice(None, f"embedded mode: no NEO4J_URI, and {why}")
