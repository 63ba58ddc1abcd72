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


CHOICES = """// name: demo2
// answers: Allowed values and minimums.
// param: list STRING in {consumer_products, consumer_streamers} = consumer_products  which list
// param: hops INTEGER in {0, 1} = 1  hops
// param: limit INTEGER >= 0 = 10  rows
// param: job STRING in {score, paths} = null  only this job
// returns: x
MATCH (n) RETURN n LIMIT $limit;
"""


def test_headers_can_restrict_values_and_null_resets_an_optional_filter():
    """A typo in a list name returned no rows and max_hops=5 ran as 1 (review): refused now."""
    q = parse_query("demo2", CHOICES)
    assert q.bind({}) == {"list": "consumer_products", "hops": 1, "limit": 10, "job": None}
    assert q.bind({"hops": "0", "job": "paths", "limit": "0"})["hops"] == 0
    assert q.bind({"job": "null"})["job"] is None  # the literal "null" filtered on the text "null"
    for given, message in (({"list": "consumer_product"}, "must be one of consumer_products, consumer_streamers"),
                           ({"hops": "5"}, "must be one of 0, 1, got 5"),
                           ({"limit": "-1"}, "must be at least 0, got -1"),
                           ({"job": "recommend"}, "must be one of score, paths")):
        with pytest.raises(LivetrustError, match=message):
            q.bind(given)
    assert [p.signature() for p in q.params] == [
        "list:STRING in {consumer_products,consumer_streamers}=consumer_products", "hops:INTEGER in {0,1}=1",
        "limit:INTEGER>=0=10", "job:STRING in {score,paths}=null"]


def test_cli_turns_an_error_the_server_raises_into_one_line(monkeypatch):
    """Whatever the server refuses (a value no header rule catches) is one line, not a traceback."""
    from neo4j.exceptions import Neo4jError

    import livetrust.queries.runner as runner

    def refuse(name, **_):  # as the driver builds a server's error
        raise Neo4jError._hydrate_neo4j(code="Neo.ClientError.Statement.ArgumentError", message=(
            "LIMIT: Invalid input. '-1' is not a valid value. Must be a non-negative integer.\nmore"))

    monkeypatch.setattr(runner, "run_query", refuse)
    r = CliRunner().invoke(main, ["query", "top_streamers"], env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    assert r.exit_code == 2 and r.output.strip() == ("Error: query 'top_streamers': Neo4j refused it: LIMIT: Invalid "
                                                     "input. '-1' is not a valid value. Must be a non-negative "
                                                     "integer. | more"), r.output


def test_json_output_keeps_the_scores_digits():
    import json

    import pandas as pd

    from livetrust.cli import render_frame

    value = 0.9186891234567891
    frame = pd.DataFrame({"trust": [value, float("nan")], "bonds": [[0.1, 1 / 3], None],
                          "at": [pd.Timestamp("2026-05-01T03:04:05Z"), pd.NaT], "n": [3, 4]})
    rows = json.loads(render_frame(frame, "json"))
    # every digit, as the CSV and the score files have it (review of query: pandas kept 15, 74 of 80 cells differed)
    assert rows[0]["trust"] == value and rows[0]["bonds"] == [0.1, 1 / 3]
    assert rows[0]["at"] == "2026-05-01T03:04:05+00:00" and rows[0]["n"] == 3
    assert rows[1] == {"trust": None, "bonds": None, "at": None, "n": 4}
    from decimal import Decimal

    import neo4j.time

    odd = pd.DataFrame({"took": [neo4j.time.Duration(seconds=3)], "inf": [float("inf")], "d": [Decimal("1.5")]})
    assert json.loads(render_frame(odd, "json")) == [{"took": "PT3S", "inf": None, "d": "1.5"}]
