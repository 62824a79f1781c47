"""What changed between two versions of a twin: entities and relationships added, removed or
changed, and which properties changed. Computed by the store during an import (against what the
source asserted before) or between two files without a database (`graphtwin diff`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphtwin.model import TwinGraph

RelKey = tuple[str, str, str]


@dataclass(slots=True)
class TwinDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """twin_id -> the property keys whose values changed (empty: only the assertion is new)."""
    relationships_added: list[RelKey] = field(default_factory=list)
    relationships_removed: list[RelKey] = field(default_factory=list)
    relationships_changed: list[RelKey] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.changed,
                self.relationships_added,
                self.relationships_removed,
                self.relationships_changed,
            )
        )

    def to_json(self) -> dict[str, Any]:
        def rels(keys: list[RelKey]) -> list[dict[str, str]]:
            return [{"from": s, "type": t, "to": e} for s, t, e in sorted(keys)]

        return {
            "added": sorted(self.added),
            "removed": sorted(self.removed),
            "changed": {k: sorted(v) for k, v in sorted(self.changed.items())},
            "relationships_added": rels(self.relationships_added),
            "relationships_removed": rels(self.relationships_removed),
            "relationships_changed": rels(self.relationships_changed),
        }


def changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Keys added, removed or given another value."""
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def diff_graphs(old: TwinGraph, new: TwinGraph) -> TwinDiff:
    """The difference between two parsed versions of a model (no database involved)."""
    diff = TwinDiff(
        added=sorted(new.nodes.keys() - old.nodes.keys()),
        removed=sorted(old.nodes.keys() - new.nodes.keys()),
    )
    for twin_id in old.nodes.keys() & new.nodes.keys():
        before, after = old.nodes[twin_id], new.nodes[twin_id]
        keys = changed_keys(
            {"kind": before.kind, "name": before.name, **before.properties},
            {"kind": after.kind, "name": after.name, **after.properties},
        )
        if keys:
            diff.changed[twin_id] = keys
    diff.relationships_added = sorted(new.relationships.keys() - old.relationships.keys())
    diff.relationships_removed = sorted(old.relationships.keys() - new.relationships.keys())
    diff.relationships_changed = sorted(
        key
        for key in old.relationships.keys() & new.relationships.keys()
        if old.relationships[key].properties != new.relationships[key].properties
    )
    return diff
