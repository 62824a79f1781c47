"""What an import changes: the difference between a twin graph and what its source asserted
before. Pure functions over what the loader read from Neo4j, so they are tested without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphtwin.errors import ConflictingKindError, DanglingRelationshipError
from graphtwin.model import TwinGraph, TwinNode, TwinRelationship

RelKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Assertion:
    """A node this source asserted on its previous import."""

    kind: str
    node_eid: str
    assertion_eid: str
    hash: str | None
    defines: bool
    """False when the source only referred to the node (an end of one of its relationships)."""


@dataclass(frozen=True, slots=True)
class ForeignNode:
    """A node in the graph that this source never asserted."""

    kind: str
    node_eid: str


@dataclass(frozen=True, slots=True)
class PreviousRelationship:
    rel_eid: str
    hash: str | None


@dataclass(frozen=True, slots=True)
class NodeUpdate:
    node: TwinNode
    node_eid: str


@dataclass(slots=True)
class NodeDiff:
    created: list[TwinNode] = field(default_factory=list)
    updated: list[NodeUpdate] = field(default_factory=list)
    unchanged: int = 0
    retracted: dict[str, Assertion] = field(default_factory=dict)
    """Nodes this source defined before and no longer does, by twin_id."""
    references_new: list[str] = field(default_factory=list)
    """Nodes outside the graph that its relationships now refer to, not referred to before."""
    references_stale: list[str] = field(default_factory=list)
    """Assertion element ids of references the source no longer makes."""


@dataclass(frozen=True, slots=True)
class RelationshipUpdate:
    relationship: TwinRelationship
    rel_eid: str


@dataclass(slots=True)
class RelationshipDiff:
    created: list[TwinRelationship] = field(default_factory=list)
    updated: list[RelationshipUpdate] = field(default_factory=list)
    unchanged: int = 0
    retracted: dict[RelKey, str] = field(default_factory=dict)
    """Relationships this source asserted before and no longer does -> their element ids."""


def diff_nodes(
    graph: TwinGraph, previous: dict[str, Assertion], foreign: dict[str, ForeignNode]
) -> NodeDiff:
    """Classify the graph's nodes against the source's previous assertions and the graph."""
    diff = NodeDiff()
    for twin_id, node in graph.nodes.items():
        mine = previous.get(twin_id)
        existing = mine or foreign.get(twin_id)
        if existing is None:
            diff.created.append(node)
            continue
        if existing.kind != node.kind:
            raise ConflictingKindError(
                f"is a {existing.kind} in the graph but {node.kind} here",
                location=node.location,
                entity=twin_id,
            )
        if mine is not None and mine.defines and mine.hash == node.content_hash():
            diff.unchanged += 1
        else:
            diff.updated.append(NodeUpdate(node, existing.node_eid))
    external = graph.external_endpoints()
    for twin_id, mine in previous.items():
        if twin_id in graph.nodes:
            continue
        if mine.defines:
            diff.retracted[twin_id] = mine
        elif twin_id not in external:
            diff.references_stale.append(mine.assertion_eid)
    diff.references_new = sorted(external - previous.keys())
    return diff


def check_endpoints(
    graph: TwinGraph,
    previous: dict[str, Assertion],
    foreign: dict[str, ForeignNode],
    deleted: set[str],
) -> None:
    """Every relationship end outside the graph must exist and survive this import."""
    for rel in graph.iter_relationships():
        for end in (rel.start, rel.end):
            if end in graph.nodes:
                continue
            if end in deleted or (end not in previous and end not in foreign):
                raise DanglingRelationshipError(
                    f"refers to {end!r}, which is neither defined in this file nor in the graph",
                    location=rel.location,
                    entity=rel.describe(),
                )


def relationships_to_look_up(
    graph: TwinGraph, previous: dict[RelKey, PreviousRelationship], created: list[TwinNode]
) -> list[TwinRelationship]:
    """Relationships new to this source that may exist already (asserted by another source):
    a relationship to or from a node created by this import cannot."""
    new_nodes = {n.twin_id for n in created}
    return [
        r
        for r in graph.iter_relationships()
        if r.key not in previous and r.start not in new_nodes and r.end not in new_nodes
    ]


def diff_relationships(
    graph: TwinGraph,
    previous: dict[RelKey, PreviousRelationship],
    elsewhere: dict[RelKey, str],
) -> RelationshipDiff:
    """Classify relationships against the source's previous ones and those other sources
    assert (`elsewhere`: key -> element id)."""
    diff = RelationshipDiff()
    for rel in graph.iter_relationships():
        mine = previous.get(rel.key)
        if mine is not None:
            if mine.hash == rel.content_hash():
                diff.unchanged += 1
            else:
                diff.updated.append(RelationshipUpdate(rel, mine.rel_eid))
        elif rel.key in elsewhere:
            diff.updated.append(RelationshipUpdate(rel, elsewhere[rel.key]))
        else:
            diff.created.append(rel)
    diff.retracted = {
        key: p.rel_eid for key, p in previous.items() if key not in graph.relationships
    }
    return diff
