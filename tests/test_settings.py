import pytest

from livetrust.settings import Neo4jSettings


def test_environment_then_overrides():
    env = {"NEO4J_URI": "bolt://db:7687", "NEO4J_USER": "u", "NEO4J_PASSWORD": "p", "NEO4J_DATABASE": "d"}
    s = Neo4jSettings.from_env(env, uri="bolt://other:1", user=None)
    assert (s.uri, s.user, s.password, s.database) == ("bolt://other:1", "u", "p", "d")


def test_defaults_without_environment():
    s = Neo4jSettings.from_env({})
    assert s.uri == "bolt://127.0.0.1:7687" and s.user == "neo4j" and s.database == "neo4j"


def test_password_is_never_shown():
    s = Neo4jSettings.from_env({"NEO4J_PASSWORD": "hunter2"})
    assert "hunter2" not in repr(s) and "hunter2" not in s.describe() and "hunter2" not in str(s)


def test_credentials_in_the_uri_are_refused_without_echoing_them():
    from click.testing import CliRunner

    from livetrust.cli import main
    from livetrust.errors import Neo4jUnavailable

    with pytest.raises(Neo4jUnavailable, match="must not hold credentials") as err:
        Neo4jSettings.from_env({"NEO4J_URI": "bolt://neo4j:s3cretPW@db:7687"})
    assert "s3cretPW" not in str(err.value)
    r = CliRunner().invoke(main, ["ping"], env={"NEO4J_URI": "bolt://neo4j:s3cretPW@127.0.0.1:9"})
    assert r.exit_code != 0 and "s3cretPW" not in r.output and r.output.count("\n") == 1
