from livetrust.localneo4j import choose_neo4j, parse_exports


def test_parse_exports_reads_the_script_output():
    text = "export NEO4J_URI=bolt://127.0.0.1:7687\nexport NEO4J_PASSWORD='a b$c'\nnot an export\n"
    assert parse_exports(text) == {"NEO4J_URI": "bolt://127.0.0.1:7687", "NEO4J_PASSWORD": "a b$c"}


def test_configured_uri_wins_and_nothing_is_started():
    choice = choose_neo4j({"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": "pw"}, allow_start=True)
    assert choice.settings.uri == "bolt://db:7687" and choice.settings.password == "pw"


def test_without_uri_or_local_start_the_demo_runs_embedded():
    choice = choose_neo4j({}, allow_start=False)
    assert choice.settings is None and "embedded" in choice.how
