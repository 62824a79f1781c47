"""The in-memory twin graph that importers produce and the store loads.

Plain slotted dataclasses, not pydantic: importers build hundreds of thousands of these and
validation happens once, here, when they are added. Every node has a `twin_id`, a `kind` from the
vocabulary and a `name`; everything else (origin identifiers included) is a property.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphtwin.errors import (
    ConflictingKindError,
    DuplicateEntityError,
    InvalidPropertyError,
    SchemaViolationError,
    SourceLocation,
    UnknownKindError,
    UnknownRelationshipTypeError,
    ValueTooLargeError,
)
from graphtwin.vocabulary import vocabulary

Scalar = str | int | float | bool
PropertyValue = Scalar | list[str] | list[int] | list[float] | list[bool]
Properties = dict[str, PropertyValue]

ORIGIN_KEYS: tuple[str, ...] = (
    "uri",
    "brick_class",
    "ifc_guid",
    "ifc_class",
    "isa95_id",
    "isa95_level",
)
"""Identifiers a node keeps from the standard it came from (graph contract)."""

VERSION_KEYS = frozenset({"version_from", "version_source", "version_run"})
"""Bookkeeping of the twin's history (docs/history.md) on every live node and relationship:
when its current version began, and the source and run that made it. Never asserted, exported
or compared."""
RESERVED_NODE_KEYS = frozenset({"twin_id", "kind", "name"}) | VERSION_KEYS
RESERVED_RELATIONSHIP_KEYS = (
    frozenset({"sources", "hash", "first_asserted_at", "changed_at", "selector"}) | VERSION_KEYS
)
"""Relationship properties the store maintains itself (lineage, the selector that derived the
relationship, the version bookkeeping), not asserted by sources."""

MAX_INDEXED_BYTES = 4096
"""The most UTF-8 bytes an id, a name or an indexed property may hold. Neo4j's range indexes
refuse a key over about 8 KB (8,167 bytes) inside the transaction, with a raw error; half of that
leaves room for what a composite key or a future index adds."""

INDEXED_NODE_KEYS: frozenset[str] = frozenset(
    {
        "uri",
        "brick_class",
        "ifc_guid",
        "ifc_class",
        "isa95_id",
        "isa95_level",
        "selects_as",
        "timeseries_id",
    }
)
"""Node properties the schema indexes (cypher/migrations: twin_* indexes), besides twin_id, kind
and name; each holds at most MAX_INDEXED_BYTES. tests/unit/test_model.py checks this against
the migrations."""

_PROPERTY_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f]")
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """The file (or other origin) that asserted a twin graph."""

    source_id: str
    format: str
    file_name: str
    sha256: str
    lineage: str | None = None
    """What makes files versions of one another beyond their format (an IFC model's project
    GlobalId): a source with a lineage takes only files of that lineage."""


@dataclass(slots=True)
class TwinNode:
    twin_id: str
    kind: str
    name: str
    properties: Properties = field(default_factory=dict)
    location: SourceLocation | None = None

    def content_hash(self) -> str:
        """Hash of everything this node asserts; equal hashes mean an unchanged assertion."""
        return _stable_hash([self.kind, self.name, sorted(self.properties.items())])

    def asserted_keys(self) -> list[str]:
        """The node properties this assertion sets, in a stable order."""
        return ["kind", "name", *sorted(self.properties)]


@dataclass(slots=True)
class TwinRelationship:
    start: str
    type: str
    end: str
    properties: Properties = field(default_factory=dict)
    location: SourceLocation | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.start, self.type, self.end)

    def content_hash(self) -> str:
        return _stable_hash(sorted(self.properties.items()))

    def describe(self) -> str:
        return f"({self.start})-[:{self.type}]->({self.end})"


class TwinGraph:
    """Nodes by twin_id and relationships by (start, type, end), validated as they are added."""

    def __init__(self, source: SourceInfo) -> None:
        problem = _size_problem(source.source_id)
        if problem:
            raise ValueTooLargeError(
                f"source_id {problem}",
                location=SourceLocation(source.file_name),
                entity=_abbreviated(source.source_id),
            )
        self.source = source
        self.nodes: dict[str, TwinNode] = {}
        self.relationships: dict[tuple[str, str, str], TwinRelationship] = {}
        self.warnings: list[str] = []
        """What the importer kept but wants the user to know (unknown classes, ...)."""
        self.annotations: dict[str, Any] = {}
        """Importer-specific facts for the import report (validation results, timings)."""

    def __len__(self) -> int:
        return len(self.nodes)

    def add_node(self, node: TwinNode) -> TwinNode:
        """Add a node; a second definition of the same twin_id is an error."""
        _check_node(node)
        existing = self.nodes.get(node.twin_id)
        if existing is not None:
            if existing.kind != node.kind:
                raise ConflictingKindError(
                    f"defined as {node.kind} here but as {existing.kind} at {existing.location}",
                    location=node.location,
                    entity=node.twin_id,
                )
            raise DuplicateEntityError(
                f"defined twice (first at {existing.location})",
                location=node.location,
                entity=node.twin_id,
            )
        self.nodes[node.twin_id] = node
        return node

    def add_relationship(self, rel: TwinRelationship) -> TwinRelationship:
        """Add a relationship; repeating an identical one is harmless, a contradiction is not."""
        _check_relationship(rel)
        existing = self.relationships.get(rel.key)
        if existing is not None:
            if existing.properties != rel.properties:
                raise DuplicateEntityError(
                    f"asserted twice with different properties (first at {existing.location})",
                    location=rel.location,
                    entity=rel.describe(),
                )
            return existing
        self.relationships[rel.key] = rel
        return rel

    def iter_relationships(self) -> Iterator[TwinRelationship]:
        return iter(self.relationships.values())

    def external_endpoints(self) -> set[str]:
        """twin_ids that relationships reference but this graph does not define."""
        ends = {r.start for r in self.relationships.values()}
        ends.update(r.end for r in self.relationships.values())
        return ends - self.nodes.keys()


def check_properties(
    properties: Properties,
    *,
    reserved: frozenset[str],
    location: SourceLocation | None,
    entity: str,
) -> None:
    """Reject property names and values a Neo4j property cannot hold, naming the culprit."""
    for key, value in properties.items():
        if not isinstance(key, str) or not _PROPERTY_NAME.match(key):
            raise InvalidPropertyError(
                f"property name {key!r} must start with a letter and hold only letters, digits "
                "and underscores",
                location=location,
                entity=entity,
            )
        if key in reserved:
            raise InvalidPropertyError(
                f"property name {key!r} is reserved", location=location, entity=entity
            )
        problem = _value_problem(value)
        if problem:
            raise InvalidPropertyError(
                f"property {key!r}: {problem}", location=location, entity=entity
            )


def _check_node(node: TwinNode) -> None:
    _check_twin_id(node.twin_id, node.location)
    if not vocabulary().is_kind(node.kind):
        known = ", ".join(vocabulary().node_kinds)
        raise UnknownKindError(
            f"unknown kind {node.kind!r} (known kinds: {known})",
            location=node.location,
            entity=node.twin_id,
        )
    if not isinstance(node.name, str) or not node.name.strip():
        raise SchemaViolationError(
            "a node needs a non-empty name", location=node.location, entity=node.twin_id
        )
    problem = _size_problem(node.name)
    if problem:
        raise ValueTooLargeError(f"name {problem}", location=node.location, entity=node.twin_id)
    check_properties(
        node.properties, reserved=RESERVED_NODE_KEYS, location=node.location, entity=node.twin_id
    )
    for key in INDEXED_NODE_KEYS.intersection(node.properties):
        problem = _size_problem(node.properties[key])
        if problem:
            raise ValueTooLargeError(
                f"property {key!r} {problem}", location=node.location, entity=node.twin_id
            )


def _check_relationship(rel: TwinRelationship) -> None:
    _check_twin_id(rel.start, rel.location)
    _check_twin_id(rel.end, rel.location)
    if not vocabulary().is_relationship_type(rel.type):
        known = ", ".join(vocabulary().relationship_types)
        raise UnknownRelationshipTypeError(
            f"unknown relationship type {rel.type!r} (known types: {known})",
            location=rel.location,
            entity=rel.describe(),
        )
    check_properties(
        rel.properties,
        reserved=RESERVED_RELATIONSHIP_KEYS,
        location=rel.location,
        entity=rel.describe(),
    )


def _check_twin_id(twin_id: object, location: SourceLocation | None) -> None:
    if not isinstance(twin_id, str) or not twin_id.strip():
        raise SchemaViolationError(
            f"twin_id must be a non-empty string, got {twin_id!r}", location=location
        )
    problem = _size_problem(twin_id)
    if problem:
        raise ValueTooLargeError(
            f"twin_id {problem}", location=location, entity=_abbreviated(twin_id)
        )
    if _CONTROL_CHARACTER.search(twin_id):
        raise SchemaViolationError(
            "twin_id must not contain control characters", location=location, entity=twin_id
        )


def _size_problem(value: object) -> str | None:
    """Why an indexed value is too large for the graph's indexes, or None."""
    items = value if isinstance(value, list) else [value]
    size = sum(
        len(item.encode("utf-8", "surrogatepass")) if isinstance(item, str) else 8 for item in items
    )
    if size <= MAX_INDEXED_BYTES:
        return None
    return (
        f"is {size:,} bytes long; an indexed value holds at most {MAX_INDEXED_BYTES:,} bytes "
        "(UTF-8)"
    )


def _abbreviated(text: str, keep: int = 60) -> str:
    """The start of an over-long id, so an error about it stays one readable line."""
    if len(text) <= keep:
        return text
    return f"{text[:keep]}... ({len(text):,} characters)"


def _value_problem(value: object) -> str | None:
    if isinstance(value, list):
        if not value:
            return None
        first = type(value[0])
        if any(type(v) is not first for v in value):
            return "a list must hold values of one type"
        problems = [p for p in map(_scalar_problem, value) if p]
        return f"list item: {problems[0]}" if problems else None
    return _scalar_problem(value)


def _scalar_problem(value: object) -> str | None:
    if isinstance(value, bool | str):
        return None
    if isinstance(value, int):
        return None if _INT64[0] <= value <= _INT64[1] else "integer out of 64-bit range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "numbers must be finite"
    return f"values must be text, numbers, booleans or lists of them, not {type(value).__name__}"


def _stable_hash(content: object) -> str:
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(encoded.encode("utf-8"), digest_size=16).hexdigest()
