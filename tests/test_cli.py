"""The command line: every verb has help, errors are one line, the password never shows."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from livetrust import __version__
from livetrust.cli import main

VERBS = ["generate", "load", "score", "paths", "recommend", "evaluate", "query", "schedule", "demo"]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb):
    result = CliRunner().invoke(main, [verb, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: main {verb}" in result.output or f"Usage: livetrust {verb}" in result.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "livetrust.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_unreachable_neo4j_is_one_line(monkeypatch):
    secret = "s3cret-never-printed"
    env = {"PATH": "/usr/bin:/bin", "NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": secret}
    result = run_cli("ping", env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach Neo4j at bolt://127.0.0.1:1" in lines[0]
    assert secret not in result.stderr + result.stdout


def test_cli_overrides_environment():
    env = {"PATH": "/usr/bin:/bin", "NEO4J_URI": "bolt://127.0.0.1:1"}
    result = run_cli("ping", "--uri", "bolt://127.0.0.1:2", env=env)
    assert "bolt://127.0.0.1:2" in result.stderr


def test_bad_uri_is_one_line():
    result = run_cli("ping", "--uri", "http://nowhere", env={"PATH": "/usr/bin:/bin"})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "invalid Neo4j URI" in result.stderr


@pytest.mark.integration
def test_wrong_password_is_one_line(driver, neo4j_settings):
    # Another user name, so Neo4j's lock-out after failed logins never hits the real user.
    secret = "definitely-wrong-password"
    env = {"PATH": "/usr/bin:/bin", "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": "livetrust_nobody", "NEO4J_PASSWORD": secret}
    result = run_cli("ping", env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "rejected the credentials of user 'livetrust_nobody'" in result.stderr
    assert secret not in result.stderr + result.stdout


@pytest.mark.integration
def test_ping_answers(driver, neo4j_settings):
    env = {
        "PATH": "/usr/bin:/bin", "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
        "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database,
    }
    result = run_cli("ping", env=env)
    assert result.returncode == 0, result.stderr
    assert "Neo4j/5.26" in result.stdout
    assert neo4j_settings.password not in result.stdout + result.stderr


def test_the_cli_says_in_one_line_that_neo4j_went_away():
    """Review: Neo4j stopped mid-run ended in chained tracebacks; a lost server is one line, exit 2."""
    import click
    import neo4j
    from click.testing import CliRunner

    from livetrust.cli import Commands

    @click.group(cls=Commands)
    def group():
        pass

    @group.command()
    def write():
        raise neo4j.exceptions.ServiceUnavailable("Couldn't connect to 127.0.0.1:7687:\nConnection refused")

    @group.command()
    def other():
        raise ValueError("a bug stays a traceback")

    result = CliRunner().invoke(group, ["write"])
    assert result.exit_code == 2
    assert result.output == ("Error: lost the connection to Neo4j during the run: Couldn't connect to 127.0.0.1:7687: | "
                             "Connection refused\n")
    assert isinstance(CliRunner().invoke(group, ["other"]).exception, ValueError)


def test_the_drivers_warnings_are_one_line_each(capsys):
    """Its retry warnings put the reason on a second line, 27 times in a lost-server run."""
    import logging

    from livetrust.logs import one_line_driver_warnings

    logger = logging.getLogger("neo4j")
    saved = logger.handlers[:]
    logger.handlers[:] = []
    try:
        one_line_driver_warnings()
        one_line_driver_warnings()  # a second command in the same process adds no second handler
        logging.getLogger("neo4j.session").warning("Transaction failed and will be retried in 2.2s (Couldn't "
                                                   "connect):\nFailed to establish connection")
    finally:
        logger.handlers[:] = saved
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].endswith("neo4j.session WARNING Transaction failed and will be retried in "
                                                 "2.2s (Couldn't connect): | Failed to establish connection")


@pytest.mark.parametrize("args", [["score", "--half-life-days", "nan"], ["score", "--half-life-days", "inf"],
                                  ["generate", "--corrupt", "nan"], ["paths", "--carry-prior", "inf"]])
def test_numbers_that_are_not_finite_are_refused(args, tmp_path):
    """Review: nan passed every range check, and inf reached the manifest as Infinity (not JSON)."""
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "is not a finite number" in result.output
    assert not (tmp_path / "out").exists()


def test_generate_refuses_a_negative_seed(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "w"), "--seed", "-1"])
    assert result.exit_code == 2 and "'--seed': -1 is not in the range x>=0" in result.output
    assert not (tmp_path / "w").exists()
