"""docker-compose.yml and the Dockerfile against the code they run (static: no Docker on these machines)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from livetrust.cli import main

ROOT = Path(__file__).parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def with_defaults(text: str) -> str:
    """${VAR:-default} -> default (what compose uses when .env leaves VAR unset)."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)


def test_the_app_reaches_neo4j_as_the_image_allows():
    c = compose()
    neo4j = c["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community" and neo4j["healthcheck"]["test"]
    for name in ("app", "scheduler"):
        env = c["services"][name]["environment"]
        assert set(env) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"}  # Neo4jSettings.from_env
        # the image's admin user is neo4j and Community has one database, neo4j
        assert env["NEO4J_USER"] == "neo4j" and env["NEO4J_DATABASE"] == "neo4j"
        assert env["NEO4J_URI"] == "bolt://neo4j:7687"
        assert c["services"][name]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")


def test_the_scheduler_command_is_one_the_cli_takes():
    command = [with_defaults(part) for part in compose()["services"]["scheduler"]["command"]]
    verb = main.get_command(None, command[0])
    assert verb is not None, command[0]
    ctx = verb.make_context(command[0], command[1:])  # raises on an unknown option or a bad value
    assert ctx.params["out_dir"] is not None


def test_every_named_volume_mount_exists_in_the_image_owned_by_its_user():
    """A named volume mounted on a path the image lacks is created by Docker, owned by root: the
    CLI, running as the image's user, could not write its outputs there."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\w+)", dockerfile, re.M).group(1)
    before_user = dockerfile.split(f"USER {user}")[0]
    c = compose()
    for name in ("app", "scheduler"):
        for mount in c["services"][name]["volumes"]:
            source, target = mount.split(":")[:2]
            if source in c["volumes"]:  # named, not a bind mount
                assert target in before_user and f"chown -R {user}:{user} /work" in before_user, target


def test_the_image_copies_every_folder_the_package_is_built_from():
    """``pip install .`` in the image builds from the folders pyproject.toml maps into the package: one
    not copied (scripts/, once the local Neo4j became package data) fails the image's build."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    folders = set(project["tool"]["setuptools"]["package-dir"].values())
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \./\S+$", dockerfile, re.M))
    assert folders <= copied, folders - copied
    files = set(re.search(r"^COPY (.+) \./$", dockerfile, re.M).group(1).split())
    assert {"pyproject.toml", project["project"]["readme"], *project["project"]["license-files"]} <= files
