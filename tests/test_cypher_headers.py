"""Every .cypher file says what it answers and documents exactly the parameters it uses.

Two header styles: library queries (``// param: NAME TYPE ...``, the statement maybe in the file
named by ``// source:``) and the rest (a ``// Parameters:`` section of $names up to the next
``// Label:``). A parameter every statement of a kind is sent but this one does not read is listed
after ``// Ignored:``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

QUERIES = Path(__file__).parents[1] / "queries"
PARAM = re.compile(r"\$([A-Za-z_]\w*)")
LABEL = re.compile(r"^//\s*([A-Za-z][A-Za-z _-]*):")
STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def split(path: Path) -> tuple[list[str], list[str]]:
    """(header lines, statement lines without comments or string literals)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next((i for i, line in enumerate(lines) if not line.strip().startswith("//")), len(lines))
    body = [STRING.sub("''", line).split("//", 1)[0] for line in lines[n:] if not line.strip().startswith("//")]
    return [line.strip() for line in lines[:n]], body


def documented(header: list[str]) -> set[str] | None:
    """The documented parameters, or None when the header has no parameter section."""
    library = [re.match(r"^//\s*param:\s*(\w+)\s", line) for line in header if re.match(r"^//\s*param:", line)]
    if library:
        return {m.group(1) for m in library if m}
    names, inside, found = set(), False, False
    for line in header:
        label = LABEL.match(line)
        if label:
            inside = label.group(1).strip().lower() == "parameters"
            found |= inside
            line = line[label.end():]
        elif line == "//":
            inside = False
        if inside:
            names |= set(PARAM.findall(line))
    return names if found else None


@pytest.mark.parametrize("path", sorted(QUERIES.rglob("*.cypher")), ids=lambda p: str(p.relative_to(QUERIES)))
def test_the_header_documents_exactly_the_parameters_used(path: Path):
    header, body = split(path)
    assert header, "no header"
    source = next((line.split(":", 1)[1].strip() for line in header if re.match(r"^//\s*source:", line)), None)
    if source is not None:
        assert not any(line.strip() for line in body), "a `source:` file holds no statement of its own"
        body = split(QUERIES / f"{source}.cypher")[1]
        assert any(re.match(r"^//\s*answers:", line) for line in header), "a library query says what it answers"
    used = set(PARAM.findall("\n".join(body)))
    names = documented(header)
    assert names is not None or not used, f"uses {sorted(used)} but has no parameter section"
    assert used == (names or set()), f"used {sorted(used)}, documented {sorted(names or set())}"


LOOKUP = re.compile(r"MATCH \((\w+):(\w+) \{(\w+): (\$\w+|\w+(?:\.\w+)?)\}\)")


@pytest.mark.parametrize("path", sorted((QUERIES / "library").glob("*.cypher")) + [QUERIES / "paths" / "most_trusted_path.cypher"],
                         ids=lambda p: p.stem)
def test_lookups_are_hinted_to_seek(path):
    """A lookup by one property (``MATCH (v:Label {key: $param | name | a.b})``) is pinned to an index
    seek by the line right after it: right after a load the planner's statistics can be stale, and CI
    once saw streamer_score planned as a scan (queries/runner.py says why)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.strip().startswith("//")]
    found = 0
    for i, line in enumerate(lines):
        for var, label, key, _ in LOOKUP.findall(line):
            found += 1
            hint = f"USING INDEX SEEK {var}:{label}({key})"
            assert i + 1 < len(lines) and lines[i + 1] == hint, f"{path.name}: {line!r} is not followed by {hint!r}"
    assert found or path.stem in {"fraud_suspects", "job_locks", "return_hotspots", "run_history", "top_streamers",
                                  "trusted_path"}, f"{path.name}: no lookup found (the pattern may be out of date)"
