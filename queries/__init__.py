"""The Cypher library: every query livetrust runs lives in a ``.cypher`` file here.

Each file starts with a ``//`` header saying what it answers and its parameters.
"""

from __future__ import annotations

from importlib import resources



def split_statements(cypher: str) -> list[str]:
    """Split Cypher text into statements on ``;`` at line ends, dropping ``//`` comment lines."""
    lines = [ln for ln in cypher.splitlines() if not ln.strip().startswith("//")]
    text = "\n".join(lines).strip()
    return [s.strip() for s in text.split(";\n") if s.strip().rstrip(";").strip()]


def cypher_text(name: str) -> str:
    """The text of ``NAME.cypher`` (``name`` may include a sub-folder: ``load/orders``)."""
    path = resources.files(__name__).joinpath(*f"{name}.cypher".split("/"))
    if not path.is_file():
        raise KeyError(f"no Cypher file named {name!r} in livetrust.queries")
    return path.read_text(encoding="utf-8")


def cypher_statement(name: str) -> str:
    """The single statement of ``NAME.cypher``, without its header or trailing ``;``."""
    statements = split_statements(cypher_text(name))
    if len(statements) != 1:
        raise ValueError(f"{name}.cypher holds {len(statements)} statements, expected one")
    return statements[0].rstrip(";").strip()


def schema_statements() -> list[str]:
    """The constraints and indexes of ``schema.cypher``, in order."""
    return split_statements(cypher_text("schema"))
