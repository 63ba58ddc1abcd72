import re
import shutil
import subprocess
from pathlib import Path

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


def test_the_local_script_is_found_as_package_data_and_says_what_is_missing(monkeypatch, tmp_path):
    """Review: from a wheel the script path pointed outside the package (site-packages/scripts/), so the
    demo never started the local Neo4j and blamed Java and Maven, which were there."""
    from livetrust import localneo4j

    assert localneo4j.SCRIPT.is_file() and localneo4j.SCRIPT.name == "neo4j-local"
    assert localneo4j.local_command("start") == "scripts/neo4j-local start"  # in this source checkout
    monkeypatch.setattr(localneo4j, "SCRIPT", tmp_path / "site-packages" / "livetrust" / "scripts" / "neo4j-local")
    assert localneo4j.local_missing()[0].startswith("its script (")
    assert localneo4j.local_command("stop") == f"bash {localneo4j.SCRIPT} stop"
    choice = choose_neo4j({}, allow_start=True)
    assert choice.settings is None and "needs its script" in choice.how
    assert (" and java" in choice.how) == (shutil.which("java") is None)  # java is named only when missing


def test_the_server_subshell_closes_every_inherited_file_above_stderr(tmp_path):
    """scripts/neo4j-local starts the server from a subshell that first runs close_inherited_fds: a
    caller's open files (a `flock LOCKFILE scripts/neo4j-local start` lock) must not stay held by a
    server that runs for days. The function is taken from the script itself."""
    script = (Path(__file__).parents[1] / "scripts" / "neo4j-local").read_text()
    function = re.search(r"^close_inherited_fds\(\) \{.*?^\}", script, re.S | re.M).group(0)
    held = tmp_path / "held"
    probe = (f"{function}\nexec 7>{held} 9>{held}\n"
             "( close_inherited_fds; for fd in /proc/$BASHPID/fd/*; do echo ${fd##*/}; done; echo still >&2 )")
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    fds = {int(fd) for fd in out.stdout.split()}
    assert {0, 1, 2} <= fds and not fds & {7, 9}, fds  # (the glob's own directory fd may show up)
    assert out.stderr == "still\n"  # stderr stays open
    assert "close_inherited_fds && exec setsid" in script


def test_extra_conf_lines_replace_the_scripts_own(tmp_path):
    """NEO4J_LOCAL_CONF adds neo4j.conf lines; one naming a setting the script writes replaces that line
    (Neo4j refuses to start on a setting declared twice: "db.checkpoint declared multiple times").
    bench/checkpoint_ab.sh sets the checkpoint policy with it. write_conf is taken from the script."""
    script = (Path(__file__).parents[1] / "scripts" / "neo4j-local").read_text()
    function = re.search(r"^write_conf\(\) \{.*?^\}", script, re.S | re.M).group(0)
    conf = tmp_path / "conf" / "neo4j.conf"

    def written(extra: str | None) -> list[str]:
        env = {"PATH": "/usr/bin:/bin", **({"NEO4J_LOCAL_CONF": extra} if extra is not None else {})}
        probe = f"RUN={tmp_path} BOLT_PORT=1 HTTP_PORT=off HEAP=1g PAGECACHE=1g\n{function}\nwrite_conf"
        subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True, env=env)
        return conf.read_text().splitlines()

    plain = written(None)
    assert "db.checkpoint=VOLUME" in plain and "server.bolt.listen_address=127.0.0.1:1" in plain
    lines = written("db.checkpoint = PERIODIC\n# a comment\ndb.checkpoint.interval.time=5m")
    settings = [line.split("=", 1)[0].strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(settings) == len(set(settings)), "a setting declared twice"
    assert "db.checkpoint = PERIODIC" in lines and "db.checkpoint=VOLUME" not in lines
    assert lines[-3:] == ["db.checkpoint = PERIODIC", "# a comment", "db.checkpoint.interval.time=5m"]
    assert "db.checkpoint.interval.volume=1g" in lines  # the script's other lines stay
