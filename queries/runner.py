"""Named, parameterised queries from ``queries/library/*.cypher`` and their runner.

Each library file starts with a header of ``//`` lines::

    // name: top_streamers
    // answers: The most trusted streamers, optionally of one category or region.
    // param: category STRING = null  only streamers of this category
    // param: limit INTEGER >= 0 = 20  how many rows
    // returns: streamer_id, name, trust, confidence, followers, orders, return_rate

A parameter line is ``NAME TYPE [in {a, b}] [>= N] [= default]  help``: no default means
required; ``in {...}`` lists the only values allowed, ``>= N`` a minimum; an optional parameter
whose default is ``null`` takes ``null`` to mean "none" again. A ``// source:
paths/most_trusted_path`` line takes the statement from another ``.cypher`` file, so a query a
job also runs is written once.

A lookup by id carries ``USING INDEX SEEK`` on its entity: right after a load the planner's
statistics can be stale (EXPLAIN showed estimates of 0 rows), and a score lookup was once planned as a scan of
the id index or a walk from the run over every score.

Parameters are checked against the header (type, 64-bit range, finite floats, allowed values,
minimum) before anything reaches Neo4j, and travel as Cypher parameters only.

Examples
--------
>>> from livetrust.queries.runner import library
>>> "top_streamers" in library()  # doctest: +SKIP
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

import pandas as pd

from ..errors import LivetrustError

_HEADER = re.compile(r"^//\s*(name|answers|param|returns|index|source):\s*(.*)$")
# NAME TYPE [in {a, b}] [>= N] [= default]  help
_PARAM = re.compile(r"^(\w+)\s+(STRING|INTEGER|FLOAT|BOOLEAN)(?:\s+in\s+\{([^}]*)\})?(?:\s*>=\s*(\S+))?"
                    r"\s*(?:=\s*(\S+))?\s*(.*)$")


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise ValueError(f"{text!r} is not a boolean")


PARSERS: dict[str, Callable[[str], Any]] = {"STRING": str, "INTEGER": int, "FLOAT": float, "BOOLEAN": _parse_bool}
PYTHON_TYPES = {"STRING": (str,), "INTEGER": (int,), "FLOAT": (int, float), "BOOLEAN": (bool,)}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    required: bool
    help: str
    choices: tuple = ()  # the only values allowed (``in {a, b}`` in the header)
    minimum: float | None = None  # ``>= N`` in the header

    def signature(self) -> str:
        """As ``--list`` shows it: ``name:TYPE in {a,b}>=N=default`` (``=default`` when optional)."""
        text = f"{self.name}:{self.type}"
        if self.choices:
            text += " in {" + ",".join(str(c) for c in self.choices) + "}"
        if self.minimum is not None:
            text += f">={self.minimum:g}"
        return text if self.required else text + f"={'null' if self.default is None else self.default}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    answers: str
    params: tuple[Param, ...]
    returns: str
    cypher: str

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and convert parameters (strings from the CLI are parsed by type)."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise LivetrustError(f"query {self.name!r} has no parameter {unknown[0]!r} (it takes: {', '.join(known) or 'none'})")
        bound = {}
        for p in self.params:
            if not p.required and p.default is None and given.get(p.name) == "null":
                given = {**given, p.name: None}  # an optional filter set back to "none"
            if p.name not in given or given[p.name] is None:
                if p.required:
                    raise LivetrustError(f"query {self.name!r} needs --param {p.name}=<{p.type}>")
                bound[p.name] = p.default
                continue
            bound[p.name] = _convert(self.name, p, given[p.name])
        return bound


_INT64 = (-2**63, 2**63 - 1)  # Cypher's INTEGER


def _convert(query: str, p: Param, value: Any) -> Any:
    if isinstance(value, str) and p.type != "STRING":
        try:
            value = PARSERS[p.type](value)
        except ValueError:
            raise LivetrustError(f"query {query!r}: parameter {p.name!r} must be {p.type}, got {value!r}") from None
    if isinstance(value, bool) and p.type != "BOOLEAN" or not isinstance(value, PYTHON_TYPES[p.type]):
        raise LivetrustError(f"query {query!r}: parameter {p.name!r} must be {p.type}, got {value!r}")
    if p.type == "INTEGER" and not _INT64[0] <= value <= _INT64[1]:
        raise LivetrustError(f"query {query!r}: parameter {p.name!r} is beyond a 64-bit INTEGER: {value}")
    if p.type == "FLOAT" and not math.isfinite(value):
        raise LivetrustError(f"query {query!r}: parameter {p.name!r} must be a finite FLOAT, got {value!r}")
    if p.choices and value not in p.choices:
        raise LivetrustError(f"query {query!r}: parameter {p.name!r} must be one of "
                             f"{', '.join(str(c) for c in p.choices)}, got {value!r}")
    if p.minimum is not None and value < p.minimum:
        raise LivetrustError(f"query {query!r}: parameter {p.name!r} must be at least {p.minimum:g}, got {value!r}")
    return value


def parse_query(name: str, text: str) -> NamedQuery:
    fields: dict[str, list[str]] = {"name": [], "answers": [], "param": [], "returns": []}
    body = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
        elif not line.strip().startswith("//"):
            body.append(line)
    if fields["name"] != [name]:
        raise ValueError(f"queries/library/{name}.cypher: header 'name:' must be {name!r}")
    params = []
    for spec in fields["param"]:
        m = _PARAM.match(spec)
        if not m:
            raise ValueError(f"queries/library/{name}.cypher: bad param line {spec!r}")
        pname, ptype, choices, minimum, default, help_text = m.groups()
        required = default is None
        value = None if default in (None, "null") else PARSERS[ptype](default)
        allowed = tuple(PARSERS[ptype](c.strip()) for c in choices.split(",")) if choices else ()
        params.append(Param(pname, ptype, value, required, help_text.strip(), allowed,
                            float(minimum) if minimum is not None else None))
    cypher = "\n".join(body).strip().rstrip(";").strip()
    if fields.get("source"):  # the statement lives with the job that also runs it
        from . import cypher_statement

        cypher = cypher_statement(fields["source"][0])
    return NamedQuery(name, " ".join(fields["answers"]), tuple(params), " ".join(fields["returns"]), cypher)


def library() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    folder = resources.files("livetrust.queries").joinpath("library")
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            queries[name] = parse_query(name, entry.read_text(encoding="utf-8"))
    return queries


def get_query(name: str) -> NamedQuery:
    queries = library()
    if name not in queries:
        raise LivetrustError(f"no query named {name!r}; `livetrust query --list` shows them")
    return queries[name]


def run_query(name: str, *, driver=None, settings=None, **params: Any) -> pd.DataFrame:
    """Run a named query and return its rows as a DataFrame.

    Parameters
    ----------
    name : str
        A query of ``livetrust query --list``.
    driver : neo4j.Driver, optional
        An open driver; else one is opened from ``settings`` (default: the environment).
    settings : Neo4jSettings, optional
    **params
        The query's parameters (checked against its header).

    Examples
    --------
    >>> run_query("top_streamers", limit=5)  # doctest: +SKIP
    """
    from ..db import connect
    from ..settings import Neo4jSettings

    query = get_query(name)
    bound = query.bind(params)
    settings = settings or Neo4jSettings.from_env()
    if driver is None:
        with connect(settings) as own:
            return _execute(own, settings.database, query, bound)
    return _execute(driver, settings.database, query, bound)


def _execute(driver, database: str, query: NamedQuery, params: dict[str, Any]) -> pd.DataFrame:
    records, summary, keys = driver.execute_query(query.cypher, params, database_=database, routing_="r")
    return pd.DataFrame([r.values() for r in records], columns=keys)
