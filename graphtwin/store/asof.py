"""The twin as it was at a past time (docs/history.md): the read side of versions.

One rule answers every question: an element existed at T, in the state shown, iff
`version_from <= T < version_to`, a live element's `version_to` being +infinity. So the twin at T
is the live elements whose version began at or before T together with the closed versions
(`NodeVersion`, `EdgeVersion`, kept off the live graph) valid at T. Point values at T come from
the value history (`HistoryStore.values_at`), not from Neo4j.

The history begins at the earliest `version_from` in the database; a time before it or after
now is an `AsOfError` naming the time and the range.

Example::

    with driver.session() as session:
        at = check_as_of(session, parse_time("2026-03-01T08:00:00Z"))
        lineage = lineage_at(session, "urn:b1:ahu-1", at)
        twin = read_twin_at(session, at, root="urn:b1")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j

from graphtwin.batching import chunked
from graphtwin.errors import AsOfError, InputError, TwinNotFoundError, UnknownSourceError
from graphtwin.model import RESERVED_RELATIONSHIP_KEYS, VERSION_KEYS, TwinGraph
from graphtwin.store import statement_runner as runner
from graphtwin.store.lineage import NodeLineage, RelationshipLineage, property_lineage
from graphtwin.store.reader import (
    EXPORT_SOURCE,
    ExportedTwin,
    add_node,
    add_relationship,
    walk_down,
)
from graphtwin.store.version_codec import decode, decode_assertions
from graphtwin.store.versions import UNVERSIONED_KEYS

__all__ = [
    "AsOfError",
    "NodeAt",
    "check_as_of",
    "history_range",
    "lineage_at",
    "nodes_at",
    "parse_time",
    "read_twin_at",
    "relationships_at",
    "sources_at",
    "subtree_at",
]


def parse_time(text: str, *, field: str = "as of") -> datetime:
    """An ISO 8601 time (`2026-03-01T08:00:00Z`, `...+01:00`); one without an offset is taken
    as UTC. InputError naming `field` for anything else.

    >>> parse_time("2026-03-01T09:00:00+01:00")
    datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.timezone.utc)
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(
            f"{text!r} is not an ISO 8601 time (e.g. 2026-03-01T08:00:00Z)", entity=field
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def history_range(session: neo4j.Session | neo4j.Transaction) -> tuple[datetime | None, datetime]:
    """(when the twin's history begins, now); the start is None for a twin with no history."""
    record = runner.row(session, "asof/history_start")
    start = record["start"] if record else None
    return (start.to_native() if start is not None else None), datetime.now(UTC)


def check_as_of(
    session: neo4j.Session | neo4j.Transaction,
    at: datetime,
    *,
    history: tuple[datetime | None, datetime] | None = None,
) -> datetime:
    """`at` in UTC if the history covers it, else AsOfError (before the history began, in the
    future, or no history at all). `history` saves the read when the caller has it."""
    start, now = history or history_range(session)
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    if start is None or at < start or at > now:
        raise AsOfError(
            at.isoformat(),
            start.isoformat() if start is not None else None,
            now.isoformat(timespec="seconds"),
        )
    return at


@dataclass(frozen=True, slots=True)
class NodeAt:
    """A twin node as it stood at a time: its twin properties (no live values, no version
    bookkeeping) and its assertions then ({source_id, keys, changed_at, first_asserted_at})."""

    twin_id: str
    kind: str
    labels: tuple[str, ...]
    props: dict[str, Any]
    assertions: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.props.get("name") or self.twin_id)


def nodes_at(
    session: neo4j.Session | neo4j.Transaction,
    ids: Iterable[str],
    at: datetime,
    batch_size: int = 10_000,
) -> dict[str, NodeAt]:
    """The nodes of `ids` that existed at `at`, by twin_id, as they stood then."""
    found: dict[str, NodeAt] = {}
    for chunk in chunked(sorted(set(ids)), batch_size):
        for rec in runner.rows(session, "asof/nodes", ids=chunk, at=at):
            node = _node_at(rec)
            found[node.twin_id] = node
    return found


def relationships_at(
    session: neo4j.Session | neo4j.Transaction,
    ids: Iterable[str],
    at: datetime,
    *,
    both: bool = False,
    batch_size: int = 10_000,
) -> list[dict[str, Any]]:
    """The relationships at `at` starting at one of `ids` (with `both`, ending at one too),
    each once: {start, type, end, props} with every stored property (lineage included)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for chunk in chunked(sorted(set(ids)), batch_size):
        for rec in runner.rows(session, "asof/relationships", ids=chunk, at=at, both=both):
            rel = _relationship(rec)
            found[(rel["start"], rel["type"], rel["end"])] = rel
    return [found[k] for k in sorted(found)]


def sources_at(
    session: neo4j.Session | neo4j.Transaction, source_ids: Iterable[str], at: datetime
) -> dict[str, dict[str, Any]]:
    """Import sources as they stood at `at`: {format, file_name, sha256, imported_at}."""
    return {
        rec["source_id"]: {
            "format": rec["format"],
            "file_name": rec["file_name"],
            "sha256": rec["sha256"],
            "imported_at": _native(rec["imported_at"]),
        }
        for rec in runner.rows(session, "asof/sources", source_ids=sorted(set(source_ids)), at=at)
    }


def lineage_at(
    session: neo4j.Session | neo4j.Transaction,
    twin_id: str,
    at: datetime,
    *,
    values: tuple[datetime, float, str, str] | None = None,
) -> NodeLineage:
    """A node's properties with the source and time each came from, and its relationships, as
    they stood at `at` (the shape `TwinStore.lineage` gives for the present). `values`: a
    point's value at `at` from the history (`HistoryStore.values_at`), shown as the live keys
    telemetry keeps (value, value_at, value_quality, value_source). TwinNotFoundError when the
    node did not exist then."""
    node = nodes_at(session, [twin_id], at).get(twin_id)
    if node is None:
        raise TwinNotFoundError(twin_id, at.isoformat())
    sources = sources_at(session, (a["source_id"] for a in node.assertions), at)
    assertions = [{**a, **sources.get(a["source_id"], {})} for a in node.assertions]
    props = dict(node.props)
    if values is not None:
        props.update(value=values[1], value_at=values[0], value_quality=values[2])
        props["value_source"] = values[3]
    properties, by_source = property_lineage(props, assertions)
    relationships = [
        RelationshipLineage(
            outgoing=r["start"] == twin_id,
            type=r["type"],
            other=r["end"] if r["start"] == twin_id else r["start"],
            sources=tuple(r["props"].get("sources") or ()),
            changed_at=_native(r["props"].get("changed_at")),
            properties={k: v for k, v in r["props"].items() if k not in RESERVED_RELATIONSHIP_KEYS},
            selector=r["props"].get("selector"),
        )
        for r in relationships_at(session, [twin_id], at, both=True)
    ]
    relationships.sort(key=lambda r: (r.type, r.other))
    return NodeLineage(twin_id, node.labels, properties, relationships, by_source)


def subtree_at(session: neo4j.Session | neo4j.Transaction, root: str, at: datetime) -> set[str]:
    """`root` and what lay below it in the containment tree at `at` (TwinNotFoundError when
    the root did not exist then)."""
    if root not in nodes_at(session, [root], at):
        raise TwinNotFoundError(root, at.isoformat())
    return walk_down(session, root, "asof/hierarchy_children", at=at)


def points_at(
    session: neo4j.Session | neo4j.Transaction, at: datetime, among: Iterable[str] | None = None
) -> list[str]:
    """The twin_ids of the points the twin held at `at` (only those `among`, when given)."""
    ids = None if among is None else sorted(among)
    return [r["twin_id"] for r in runner.rows(session, "asof/points", at=at, ids=ids)]


def read_twin_at(
    session: neo4j.Session | neo4j.Transaction,
    at: datetime,
    *,
    root: str | None = None,
    source: str | None = None,
    batch_size: int = 10_000,
) -> ExportedTwin:
    """The twin (or the subtree of `root`, or what `source` defined, or both) as it stood at
    `at`, as `read_twin` gives the present: the same graph a present-time export gave then."""
    if root is None and source is None:
        nodes = [_node_at(r) for r in runner.rows(session, "asof/twin_nodes", at=at)]
        rels = [_relationship(r) for r in runner.rows(session, "asof/twin_relationships", at=at)]
        ids = None
    else:
        ids = subtree_at(session, root, at) if root is not None else None
        if source is not None:
            defined = _defined_by(session, source, at, ids)
            ids = defined if ids is None else ids & defined
        nodes = list(nodes_at(session, ids, at, batch_size).values())
        rels = relationships_at(session, ids, at, batch_size=batch_size)

    formats = {
        s: info["format"]
        for s, info in sources_at(
            session, {a["source_id"] for n in nodes for a in n.assertions}, at
        ).items()
    }
    exported = ExportedTwin(TwinGraph(EXPORT_SOURCE))
    for node in sorted(nodes, key=lambda n: n.twin_id):
        assertions = [{**a, "format": formats.get(a["source_id"])} for a in node.assertions]
        add_node(
            exported,
            {"twin_id": node.twin_id, "kind": node.kind, "props": node.props},
            assertions,
        )
    for rel in sorted(rels, key=lambda r: (r["start"], r["type"], r["end"])):
        props = rel["props"]
        if props.get("selector") is not None and not props.get("sources"):
            continue  # what a selector derives is not exported (as for the present)
        add_relationship(exported, rel, ids)
    return exported


def _defined_by(
    session: neo4j.Session | neo4j.Transaction,
    source: str,
    at: datetime,
    within: set[str] | None,
) -> set[str]:
    if not sources_at(session, [source], at):
        raise UnknownSourceError(source)
    if within is None:
        candidates = [_node_at(r) for r in runner.rows(session, "asof/twin_nodes", at=at)]
    else:
        candidates = list(nodes_at(session, within, at).values())
    return {
        n.twin_id
        for n in candidates
        if any(a["source_id"] == source and a["keys"] for a in n.assertions)
    }


def _node_at(rec: neo4j.Record | dict[str, Any]) -> NodeAt:
    if rec["props"] is not None:
        props = {k: v for k, v in rec["props"].items() if k not in UNVERSIONED_KEYS}
        assertions = [dict(a) for a in rec["assertions"] if a["source_id"] is not None]
    else:
        props = decode(rec["props_json"])
        assertions = decode_assertions(rec["assertions_json"])
    for a in assertions:
        a["changed_at"] = [_native(t) for t in a.get("changed_at") or []]
        a["first_asserted_at"] = _native(a.get("first_asserted_at"))
    keep = ("source_id", "keys", "changed_at", "first_asserted_at")
    return NodeAt(
        rec["twin_id"],
        rec["kind"],
        tuple(sorted(rec["labels"])),
        props,
        sorted(({k: a.get(k) for k in keep} for a in assertions), key=lambda a: a["source_id"]),
    )


def _relationship(rec: neo4j.Record | dict[str, Any]) -> dict[str, Any]:
    if rec["props"] is not None:
        props = {k: v for k, v in rec["props"].items() if k not in VERSION_KEYS}
    else:
        props = decode(rec["props_json"])
    return {"start": rec["start"], "type": rec["type"], "end": rec["end"], "props": props}


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value
