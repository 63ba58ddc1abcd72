"""The query library's headers and the runner's parameter checks (no database needed)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from livetrust.cli import main
from livetrust.errors import LivetrustError
from livetrust.queries.runner import get_query, library, parse_query

TEXT = """// name: demo
// answers: A demo.
// param: who STRING  required
// param: limit INTEGER = 5  rows
// param: min FLOAT = 0.5
// param: strict BOOLEAN = false
// returns: x
MATCH (n) RETURN n LIMIT $limit;
"""


def test_header_is_parsed_into_typed_parameters():
    q = parse_query("demo", TEXT)
    assert [(p.name, p.type, p.default, p.required) for p in q.params] == [
        ("who", "STRING", None, True), ("limit", "INTEGER", 5, False),
        ("min", "FLOAT", 0.5, False), ("strict", "BOOLEAN", False, False),
    ]
    assert q.cypher == "MATCH (n) RETURN n LIMIT $limit"


def test_bind_converts_cli_strings_and_fills_defaults():
    q = parse_query("demo", TEXT)
    assert q.bind({"who": "c1", "limit": "7", "strict": "true"}) == {"who": "c1", "limit": 7, "min": 0.5, "strict": True}


@pytest.mark.parametrize(
    "given, message",
    [
        ({}, "needs --param who"),
        ({"who": "c1", "limit": "seven"}, "must be INTEGER"),
        ({"who": "c1", "limit": True}, "must be INTEGER"),
        ({"who": "c1", "nope": "1"}, "has no parameter 'nope'"),
        ({"who": "c1", "strict": "maybe"}, "must be BOOLEAN"),
        ({"who": "c1", "limit": "99999999999999999999"}, "beyond a 64-bit INTEGER"),  # was an OverflowError
        ({"who": "c1", "min": "nan"}, "must be a finite FLOAT"),
    ],
)
def test_bad_parameters_are_one_clear_error(given, message):
    with pytest.raises(LivetrustError, match=message):
        parse_query("demo", TEXT).bind(given)


def test_header_name_must_match_file():
    with pytest.raises(ValueError, match="must be 'other'"):
        parse_query("other", TEXT)


def test_every_library_file_has_a_complete_header():
    queries = library()
    assert {"run_history", "return_hotspots", "fraud_suspects"} <= set(queries)
    for q in queries.values():
        assert q.answers and q.returns and q.cypher
        assert all(f"${p.name}" in q.cypher for p in q.params), q.name


def test_cli_rejects_unknown_query_and_bad_param_before_connecting():
    runner = CliRunner()
    env = {"NEO4J_URI": "bolt://127.0.0.1:1"}
    result = runner.invoke(main, ["query", "no_such_query"], env=env)
    assert result.exit_code != 0 and "no query named 'no_such_query'" in result.output
    result = runner.invoke(main, ["query", "run_history", "--param", "limit=x"], env=env)
    assert result.exit_code != 0 and "must be INTEGER" in result.output and "cannot reach" not in result.output
    result = runner.invoke(main, ["query", "--list"], env=env)
    assert result.exit_code == 0 and "return_hotspots" in result.output
    assert get_query("run_history").params[0].name == "job"
