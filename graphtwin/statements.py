"""Look up Cypher statements from the `cypher/` catalogue by name.

Keeping every statement in a file of its own makes the queries reviewable as queries, lets tests
check that each one is used and parameterised, and keeps Cypher out of Python strings.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from graphtwin.errors import UnknownStatementError

_PACKAGE = "cypher"
_SUFFIX = ".cypher"


@cache
def cypher(name: str) -> str:
    """The text of statement `name` (a path below `cypher/` without the suffix)."""
    parts = name.split("/")
    if any(not p or p.startswith(".") for p in parts):
        raise UnknownStatementError(f"invalid Cypher statement name {name!r}")
    resource: Traversable = resources.files(_PACKAGE)
    for part in parts[:-1]:
        resource = resource.joinpath(part)
    resource = resource.joinpath(parts[-1] + _SUFFIX)
    if not resource.is_file():
        raise UnknownStatementError(f"no Cypher statement named {name!r} in the catalogue")
    return resource.read_text(encoding="utf-8")


def catalogue() -> list[str]:
    """Names of every statement in the catalogue, sorted."""
    names: list[str] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(_SUFFIX):
                names.append(prefix + child.name.removesuffix(_SUFFIX))

    walk(resources.files(_PACKAGE), "")
    return sorted(names)


def split_statements(script: str) -> list[str]:
    """Split a migration script into statements at semicolons that end a line."""
    statements, current = [], []
    for line in script.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            text = "\n".join(current).strip().removesuffix(";").strip()
            if _has_code(text):
                statements.append(text)
            current = []
    tail = "\n".join(current).strip()
    if _has_code(tail):
        statements.append(tail)
    return statements


def _has_code(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("//") for line in text.splitlines())
