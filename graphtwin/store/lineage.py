"""Where every property of a twin node came from, and when (per-property lineage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import neo4j

from graphtwin.errors import TwinNotFoundError
from graphtwin.model import RESERVED_RELATIONSHIP_KEYS, VERSION_KEYS
from graphtwin.store import statement_runner as runner


@dataclass(frozen=True, slots=True)
class PropertyLineage:
    key: str
    value: Any
    source_id: str | None
    """The source whose assertion set the current value (latest change wins); None if no
    import asserted this property (a live value, or written outside graphtwin)."""
    changed_at: datetime | None
    asserted_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RelationshipLineage:
    outgoing: bool
    type: str
    other: str
    sources: tuple[str, ...]
    changed_at: datetime | None
    properties: dict[str, Any]
    selector: str | None = None
    """twin_id of the node whose selector derived this relationship (no source asserts it)."""


@dataclass(frozen=True, slots=True)
class NodeLineage:
    twin_id: str
    labels: tuple[str, ...]
    properties: list[PropertyLineage]
    relationships: list[RelationshipLineage]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    """source_id -> {format, file_name, keys, first_asserted_at} for every asserting source."""

    def property(self, key: str) -> PropertyLineage:
        return next(p for p in self.properties if p.key == key)


def read_lineage(session: neo4j.Session, twin_id: str) -> NodeLineage:
    record = runner.row(session, "read/node_lineage", twin_id=twin_id)
    if record is None:
        raise TwinNotFoundError(twin_id)
    properties, sources = property_lineage(record["props"], record["assertions"])
    relationships = [
        RelationshipLineage(
            outgoing=r["outgoing"],
            type=r["type"],
            other=r["other"],
            sources=tuple(r["sources"] or ()),
            changed_at=_native(r["changed_at"]),
            properties={k: v for k, v in r["props"].items() if k not in RESERVED_RELATIONSHIP_KEYS},
            selector=r["props"].get("selector"),
        )
        for r in runner.rows(session, "read/node_relationships", twin_id=twin_id)
    ]
    return NodeLineage(twin_id, tuple(sorted(record["labels"])), properties, relationships, sources)


def property_lineage(
    props: dict[str, Any], assertions: list[dict[str, Any]]
) -> tuple[list[PropertyLineage], dict[str, dict[str, Any]]]:
    """Per property, the source whose latest assertion set it; and each asserting source.

    `assertions` are {source_id, format, file_name, keys, changed_at, first_asserted_at}, one
    per source, `changed_at[i]` being when `keys[i]` last changed in that source.
    """
    changes: dict[str, list[tuple[datetime, str]]] = {}
    sources: dict[str, dict[str, Any]] = {}
    for a in assertions:
        if a["source_id"] is None:
            continue
        sources[a["source_id"]] = {
            "format": a["format"],
            "file_name": a["file_name"],
            "keys": list(a["keys"] or []),
            "first_asserted_at": _native(a["first_asserted_at"]),
        }
        for key, at in zip(a["keys"] or [], a["changed_at"] or [], strict=True):
            changes.setdefault(key, []).append((_native(at), a["source_id"]))
    properties = []
    for key, value in sorted(props.items()):
        if key in VERSION_KEYS:
            continue  # the history's bookkeeping, not a property of the twin
        asserted = sorted(changes.get(key, []))
        latest = asserted[-1] if asserted else (None, None)
        properties.append(
            PropertyLineage(
                key=key,
                value=value,
                source_id=latest[1],
                changed_at=latest[0],
                asserted_by=tuple(sorted({s for _, s in asserted})),
            )
        )
    return properties, sources


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value
