"""The design card's top-level folders install under the one ``livetrust`` namespace."""

from __future__ import annotations

import importlib
import tomllib

MAPPING = {"livetrust": "livetrust", "livetrust.graph": "graph", "livetrust.loaders": "loaders", "livetrust.queries": "queries",
           "livetrust.scripts": "scripts"}


def test_every_python_folder_is_a_listed_package(repo_root):
    listed = set(tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for package, folder in MAPPING.items():
        for init in (repo_root / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(repo_root / folder)
            found.add(".".join([package, *rel.parts]))
    assert found == listed


def test_top_level_folders_import_as_livetrust_subpackages(repo_root):
    for package, folder in MAPPING.items():
        module = importlib.import_module(package)
        assert (repo_root / folder).resolve() in [p.__class__(p).resolve() for p in map(__import__("pathlib").Path, module.__path__)]
