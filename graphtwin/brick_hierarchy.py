"""The Brick class hierarchy the project ships (`ontologies/brick_classes.json`): the classes
above a class, and a class with every class below it.

Aliases (`AHU` for `Air_Handling_Unit`) stand for the class they name: they sit where it sits.
A class the table does not know has nothing above or below it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("ontologies").joinpath("brick_classes.json").read_text("utf-8")
    return dict(json.loads(text)["classes"])


@cache
def brick_ancestors() -> dict[str, frozenset[str]]:
    """Brick class -> every class above it (aliases resolved), from brick_classes.json."""
    table = _table()
    parents = {name: list(entry.get("parents", [])) for name, entry in table.items()}

    def up(name: str, seen: frozenset[str]) -> frozenset[str]:
        found: set[str] = set()
        for parent in parents.get(name, []):
            if parent not in seen:
                found |= {parent} | up(parent, seen | {parent})
        return frozenset(found)

    result = {name: up(name, frozenset({name})) for name in parents}
    for name, entry in table.items():
        alias = entry.get("alias_of")
        if alias:
            result[name] = result.get(alias, frozenset()) | {alias}
    return result


@cache
def _below() -> dict[str, frozenset[str]]:
    """Brick class -> every class below it (their aliases included)."""
    below: dict[str, set[str]] = {}
    for name, above in brick_ancestors().items():
        for ancestor in above:
            below.setdefault(ancestor, set()).add(name)
    return {name: frozenset(found) for name, found in below.items()}


def brick_class_and_subclasses(brick_class: str) -> list[str]:
    """`brick_class`, its aliases and every class below it (with theirs), sorted: what "is a
    `brick_class`" means. An alias gives the same answer as the class it names."""
    canonical = _table().get(brick_class, {}).get("alias_of") or brick_class
    return sorted({brick_class, canonical} | _below().get(canonical, frozenset()))


def brick_class_filter(brick_class: str | None, *, exact: bool = False) -> list[str] | None:
    """The classes a filter on `brick_class` matches: the class with its subclasses, or with
    `exact` the class alone; None when there is no filter."""
    if brick_class is None:
        return None
    return [brick_class] if exact else brick_class_and_subclasses(brick_class)
