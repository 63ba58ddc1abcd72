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
