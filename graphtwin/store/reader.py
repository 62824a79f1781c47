"""Read the twin (or the containment subtree below one node, or what one source defines) back
into a `TwinGraph`.

Only what sources asserted is read: properties that no import asserted (live values written by
telemetry, say) are state, not model, and stay out of exports. Nodes nobody asserted (written by
hand in Neo4j) are exported with all their properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import neo4j

from graphtwin.batching import chunked
from graphtwin.errors import TwinNotFoundError, UnknownSourceError
from graphtwin.model import (
    RESERVED_NODE_KEYS,
    RESERVED_RELATIONSHIP_KEYS,
    SourceInfo,
    TwinGraph,
    TwinNode,
    TwinRelationship,
)
from graphtwin.store import statement_runner as runner
from graphtwin.vocabulary import vocabulary

EXPORT_SOURCE = SourceInfo(source_id="export", format="twin", file_name="-", sha256="")


@dataclass(slots=True)
class ExportedTwin:
    graph: TwinGraph
    sources: set[str] = field(default_factory=set)
    """Sources defining the exported nodes."""
    formats: set[str] = field(default_factory=set)
    left_out: int = 0
    """Relationships from exported nodes to nodes outside the export (not written)."""


def read_twin(
    session: neo4j.Session,
    *,
    root: str | None = None,
    source: str | None = None,
    batch_size: int = 10_000,
) -> ExportedTwin:
    """The whole twin, or the part `scope_ids` selects (relationships leaving it are counted
    in `left_out`, not read)."""
    ids = scope_ids(session, root=root, source=source)
    if ids is None:
        node_records = [r.data() for r in runner.rows(session, "read/twin_nodes")]
        rel_records = [r.data() for r in runner.rows(session, "read/twin_relationships")]
    else:
        node_records = []
        rel_records = []
        for chunk in chunked(sorted(ids), batch_size):
            node_records += [
                r.data() for r in runner.rows(session, "read/twin_nodes_by_id", ids=chunk)
            ]
            rel_records += [
                r.data() for r in runner.rows(session, "read/twin_relationships_among", ids=chunk)
            ]

    exported = ExportedTwin(TwinGraph(EXPORT_SOURCE))
    for rec in sorted(node_records, key=lambda r: r["twin_id"]):
        add_node(exported, rec, rec["assertions"])
    for rec in rel_records:
        add_relationship(exported, rec, ids)
    return exported


def add_node(exported: ExportedTwin, rec: dict[str, Any], assertions: list[dict[str, Any]]) -> None:
    """Add a node record ({twin_id, kind, props}) to an export: the properties its sources
    assert (`assertions`: {source_id, format, keys}), or all of them when none does."""
    defining = [a for a in assertions if a["source_id"] is not None and a["keys"]]
    exported.sources.update(a["source_id"] for a in defining)
    exported.formats.update(a["format"] for a in defining)
    props: dict[str, Any] = rec["props"]
    asserted = {k for a in defining for k in a["keys"]} if defining else set(props)
    kept = {k: v for k, v in props.items() if k in asserted and k not in RESERVED_NODE_KEYS}
    exported.graph.add_node(
        TwinNode(rec["twin_id"], rec["kind"], props.get("name") or rec["twin_id"], _plain(kept))
    )


def add_relationship(exported: ExportedTwin, rec: dict[str, Any], ids: set[str] | None) -> None:
    """Add a relationship record ({start, type, end, props}) to an export: counted in
    `left_out` when it leaves the exported part (`ids`), skipped when not a twin type."""
    if ids is not None and rec["end"] not in ids:
        exported.left_out += 1
        return
    if not vocabulary().is_relationship_type(rec["type"]):
        return  # not part of the twin model (another application's edges)
    props = {k: v for k, v in rec["props"].items() if k not in RESERVED_RELATIONSHIP_KEYS}
    exported.graph.add_relationship(
        TwinRelationship(rec["start"], rec["type"], rec["end"], _plain(props))
    )


def scope_ids(
    session: neo4j.Session, *, root: str | None = None, source: str | None = None
) -> set[str] | None:
    """The twin_ids of a part of the twin: the subtree of `root`, the nodes `source` defines,
    or (both given) the nodes of that subtree the source defines. None: the whole twin.
    TwinNotFoundError for an unknown root, UnknownSourceError for an unknown source."""
    ids = None if root is None else subtree(session, root)
    if source is not None:
        defined = source_entities(session, source)
        ids = defined if ids is None else ids & defined
    return ids


def source_entities(session: neo4j.Session, source_id: str) -> set[str]:
    """The twin nodes the source defines (those it only refers to belong to other sources)."""
    found = runner.row(session, "read/source_entities", source_id=source_id)
    if found is None or not found["found"]:
        raise UnknownSourceError(source_id)
    return set(found["ids"])


def subtree(session: neo4j.Session, root: str) -> set[str]:
    """The root and what lies below it in the containment tree (`export --root`, snapshots)."""
    found = runner.row(session, "read/twin_exists", twin_id=root)
    if not found or not found["found"]:
        raise TwinNotFoundError(root)
    return walk_down(session, root, "read/hierarchy_children")


def walk_down(
    session: neo4j.Session | neo4j.Transaction, root: str, children: str, **params: Any
) -> set[str]:
    """`root` and every node below it, level by level: `children` names a statement giving the
    twin_ids of the children of $ids along the hierarchy types $down and $up (with `params`)."""
    vocab = vocabulary()
    down, up = vocab.hierarchy_types("down"), vocab.hierarchy_types("up")
    seen = {root}
    frontier = [root]
    while frontier:
        found = [
            r["twin_id"]
            for r in runner.rows(session, children, ids=frontier, down=down, up=up, **params)
        ]
        frontier = [c for c in found if c not in seen]
        seen.update(frontier)
    return seen


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Neo4j temporal values become ISO text; the twin model holds only plain values."""
    return {k: _plain_value(v) for k, v in props.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value
