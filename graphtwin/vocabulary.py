"""The twin vocabulary: node kinds and relationship types, read from `ontologies/twin.yaml`.

It is the whitelist for labels and relationship types: a kind or type that is not here never
reaches the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

HierarchyDirection = Literal["down", "up"]


@dataclass(frozen=True, slots=True)
class RelationshipType:
    name: str
    description: str
    hierarchy: HierarchyDirection | None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    node_kinds: dict[str, str]
    relationship_types: dict[str, RelationshipType]

    def is_kind(self, kind: str) -> bool:
        return kind in self.node_kinds

    def is_relationship_type(self, rel_type: str) -> bool:
        return rel_type in self.relationship_types

    def hierarchy_types(self, direction: HierarchyDirection) -> list[str]:
        """Relationship types that point from parent to child ("down") or child to parent."""
        return sorted(t.name for t in self.relationship_types.values() if t.hierarchy == direction)


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package (parsed once per process)."""
    text = resources.files("ontologies").joinpath("twin.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    rel_types = {
        name: RelationshipType(name, spec["description"], spec.get("hierarchy"))
        for name, spec in raw["relationship_types"].items()
    }
    return Vocabulary(node_kinds=dict(raw["node_kinds"]), relationship_types=rel_types)
