"""What changed in the twin between two times (`graphtwin diff twin --from T1 --to T2`).

Elements whose state at T1 differs from their state at T2, found from the versions that began
or ended in (T1, T2] (live elements whose version began then, closed versions that began or
ended then), and compared as they stood at each time (docs/history.md's as-of rule). Each
change names the sources and runs that made it: the makers of the versions that began in the
window and the closers of those that ended in it.

A node is compared on its kind, labels and twin properties (live values and version
bookkeeping are not part of it); a relationship on its properties and the sources asserting it
(its lineage times and hash are not). A change of lineage alone (a new reference to a node)
is not a change of the twin's content and is not listed.

Example::

    with driver.session() as session:
        changes = diff_between(session, t1, t2, root="urn:b1")
        print(changes.to_json()["summary"])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import neo4j

from graphtwin.batching import chunked
from graphtwin.errors import InputError, TwinNotFoundError
from graphtwin.model import VERSION_KEYS
from graphtwin.store import statement_runner as runner
from graphtwin.store.asof import subtree_at
from graphtwin.store.version_codec import decode
from graphtwin.store.versions import UNVERSIONED_KEYS

_REL_IGNORED = frozenset({"hash", "changed_at", "first_asserted_at"}) | VERSION_KEYS


@dataclass(frozen=True, slots=True)
class Change:
    """How one element differs between the two times, and who made the difference."""

    change: str
    """added, removed or changed."""
    keys: list[str]
    """The properties that differ (every property of an added or removed element)."""
    old: dict[str, Any]
    new: dict[str, Any]
    sources: list[str]
    """The sources (or selectors, actors) that made or ended versions of it in the window."""
    runs: list[str]
    """The runs (imports, ...) that did."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeChange(Change):
    twin_id: str
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationshipChange(Change):
    start: str
    type: str
    end: str


@dataclass(slots=True)
class TimelineDiff:
    """The twin's changes between `from_` and `to`, optionally below `root`."""

    from_: datetime
    to: datetime
    root: str | None = None
    nodes: list[NodeChange] = field(default_factory=list)
    relationships: list[RelationshipChange] = field(default_factory=list)

    def of(self, change: str) -> list[NodeChange]:
        return [n for n in self.nodes if n.change == change]

    def relationships_of(self, change: str) -> list[RelationshipChange]:
        return [r for r in self.relationships if r.change == change]

    @property
    def empty(self) -> bool:
        return not self.nodes and not self.relationships

    def to_json(self) -> dict[str, Any]:
        kinds = ("added", "removed", "changed")
        return {
            "from": self.from_.isoformat(),
            "to": self.to.isoformat(),
            "root": self.root,
            "summary": {
                "nodes": {k: len(self.of(k)) for k in kinds},
                "relationships": {k: len(self.relationships_of(k)) for k in kinds},
            },
            "nodes": {k: [n.to_json() for n in self.of(k)] for k in kinds},
            "relationships": {k: [r.to_json() for r in self.relationships_of(k)] for k in kinds},
        }


def diff_between(
    session: neo4j.Session | neo4j.Transaction,
    from_: datetime,
    to: datetime,
    *,
    root: str | None = None,
    batch_size: int = 10_000,
) -> TimelineDiff:
    """The changes between two times (`from_` < `to`, both checked by the caller against the
    history); with `root`, only what lay below it (at `to`, or at `from_` for what was removed).
    """
    if not from_ < to:
        raise InputError(
            f"--from ({from_.isoformat()}) must be before --to ({to.isoformat()})", entity="diff"
        )
    window = {"from": from_, "to": to}
    diff = TimelineDiff(from_, to, root)
    scope_old = scope_new = None
    if root is not None:
        scope_new = _subtree_or_empty(session, root, to)
        scope_old = _subtree_or_empty(session, root, from_)
        if not scope_new and not scope_old:
            raise InputError("no twin entity with this twin_id at either time", entity=root)

    ids = sorted(r["twin_id"] for r in runner.rows(session, "asof/changed_nodes", **window))
    for chunk in chunked(ids, batch_size):
        history: dict[str, list[dict[str, Any]]] = {}
        for rec in runner.rows(session, "asof/node_history", ids=chunk):
            history.setdefault(rec["twin_id"], []).append(_node_version(rec))
        for twin_id in chunk:
            change = _node_change(twin_id, history.get(twin_id, []), from_, to)
            if change is not None and _in_scope(change.change, (twin_id,), scope_old, scope_new):
                diff.nodes.append(change)

    keys = sorted(
        (r["start"], r["type"], r["end"])
        for r in runner.rows(session, "asof/changed_edges", **window)
    )
    for chunk in chunked(keys, batch_size):
        rows = [{"start": s, "type": t, "end": e} for s, t, e in chunk]
        edges: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rec in runner.rows(session, "asof/edge_history", rows=rows):
            edges.setdefault((rec["start"], rec["type"], rec["end"]), []).append(_edge_version(rec))
        for key in chunk:
            change = _edge_change(key, edges.get(key, []), from_, to)
            ends = (key[0], key[2])
            if change is not None and _in_scope(change.change, ends, scope_old, scope_new):
                diff.relationships.append(change)
    return diff


def _subtree_or_empty(
    session: neo4j.Session | neo4j.Transaction, root: str, at: datetime
) -> set[str]:
    try:
        return subtree_at(session, root, at)
    except TwinNotFoundError:
        return set()


def _in_scope(
    change: str, ends: tuple[str, ...], old: set[str] | None, new: set[str] | None
) -> bool:
    if old is None or new is None:
        return True
    scope = old if change == "removed" else new
    return any(e in scope for e in ends)


def _node_version(rec: neo4j.Record) -> dict[str, Any]:
    if rec["props"] is not None:
        props = {k: v for k, v in rec["props"].items() if k not in UNVERSIONED_KEYS}
    else:
        props = decode(rec["props_json"])
    state = {"kind": rec["kind"], "labels": sorted(rec["labels"]), "props": _plain(props)}
    return {**_interval(rec), "state": state}


def _edge_version(rec: neo4j.Record) -> dict[str, Any]:
    if rec["props"] is not None:
        props = _plain(dict(rec["props"]))
    else:
        props = _plain(decode(rec["props_json"]))
    props = {k: v for k, v in props.items() if k not in _REL_IGNORED}
    props["sources"] = sorted(props.get("sources") or [])
    return {**_interval(rec), "state": props}


def _interval(rec: neo4j.Record) -> dict[str, Any]:
    def native(value: Any) -> Any:
        return value.to_native() if value is not None else None

    return {
        "from": native(rec["version_from"]),
        "to": native(rec["version_to"]),
        "source": rec["version_source"],
        "run": rec["version_run"],
        "closed_by_source": rec["closed_by_source"],
        "closed_by_run": rec["closed_by_run"],
    }


def _state_at(versions: list[dict[str, Any]], at: datetime) -> dict[str, Any] | None:
    for v in versions:
        if v["from"] is not None and v["from"] <= at and (v["to"] is None or at < v["to"]):
            return v["state"]  # at most one version covers a time
    return None


def _makers(
    versions: list[dict[str, Any]], from_: datetime, to: datetime
) -> tuple[list[str], list[str]]:
    """The sources and runs that began or ended versions in (from_, to]."""
    sources: set[str | None] = set()
    runs: set[str | None] = set()
    for v in versions:
        if v["from"] is not None and from_ < v["from"] <= to:
            sources.add(v["source"])
            runs.add(v["run"])
        if v["to"] is not None and from_ < v["to"] <= to:
            sources.add(v["closed_by_source"])
            runs.add(v["closed_by_run"])
    return sorted(s for s in sources if s), sorted(r for r in runs if r)


def _compare(
    old: dict[str, Any] | None, new: dict[str, Any] | None
) -> tuple[str, list[str], dict[str, Any], dict[str, Any]] | None:
    if old == new:
        return None
    if old is None:
        return "added", sorted(new or {}), {}, dict(new or {})
    if new is None:
        return "removed", sorted(old), dict(old), {}
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return "changed", keys, {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def _node_change(
    twin_id: str, versions: list[dict[str, Any]], from_: datetime, to: datetime
) -> NodeChange | None:
    old, new = _state_at(versions, from_), _state_at(versions, to)
    flat_old = _flat_node(old)
    flat_new = _flat_node(new)
    compared = _compare(flat_old, flat_new)
    if compared is None:
        return None
    change, keys, old_values, new_values = compared
    sources, runs = _makers(versions, from_, to)
    kind = (new or old or {}).get("kind", "")
    return NodeChange(
        change, keys, old_values, new_values, sources, runs, twin_id=twin_id, kind=kind
    )


def _flat_node(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """A node's state as one map: its properties and its labels (under `labels`)."""
    if state is None:
        return None
    return {**state["props"], "labels": state["labels"]}


def _edge_change(
    key: tuple[str, str, str], versions: list[dict[str, Any]], from_: datetime, to: datetime
) -> RelationshipChange | None:
    compared = _compare(_state_at(versions, from_), _state_at(versions, to))
    if compared is None:
        return None
    change, keys, old_values, new_values = compared
    sources, runs = _makers(versions, from_, to)
    start, type_, end = key
    return RelationshipChange(
        change, keys, old_values, new_values, sources, runs, start=start, type=type_, end=end
    )


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.iso_format() if hasattr(v, "iso_format") else v) for k, v in props.items()}
