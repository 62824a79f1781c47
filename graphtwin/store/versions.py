"""Closed versions of the twin (docs/history.md): the write side.

The live graph is the current version of every twin node and relationship; each carries
`version_from` (when that version began), `version_source` and `version_run` (who made it).
Before a statement changes something visible on an element (its properties, labels or lineage;
a relationship's type, ends, properties or sources), the store copies the element's state into a
closed version, valid over [version_from, now), kept off the live graph:
`(:NodeVersion)` / `(:EdgeVersion)`, with `props` and `assertions` as JSON text
(`version_codec`: exact types; the lineage without the source's own facts). Everything runs
in the caller's transaction with its one `now`, so a change and its version commit together.

Example (the loader does this around every change)::

    states = read_node_states(tx, [node_eid])
    close_nodes(tx, states.values(), stamp)          # then the statement that changes them
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j

from graphtwin.batching import chunked
from graphtwin.model import VERSION_KEYS
from graphtwin.store import statement_runner as runner
from graphtwin.store.version_codec import encode, encode_assertions

TELEMETRY_KEYS = frozenset({"value", "value_at", "value_quality", "value_source", "health"})
"""Live values written by telemetry: state, not model. Never versioned in Neo4j (the value
history keeps them); never in a version's `props`."""

UNVERSIONED_KEYS = TELEMETRY_KEYS | VERSION_KEYS


def new_run_id(kind: str = "import", now: datetime | None = None) -> str:
    """An id for one run that changes the twin (an import command, a demo step).

    >>> new_run_id("import", datetime(2026, 3, 1, 8, 0, tzinfo=UTC))[:23]
    'import-20260301T080000Z'
    """
    at = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{kind}-{at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who makes the versions of one change: when (the transaction's one `now`), which source
    or actor, which run."""

    now: datetime
    source: str
    run: str


@dataclass(frozen=True, slots=True)
class NodeState:
    """A twin node as it is before a change (cypher/load/nodes_state.cypher)."""

    node_eid: str
    labels: list[str]
    props: dict[str, Any]
    assertions: list[dict[str, Any]]
    """{source_id, format, file_name, sha256, imported_at, keys, changed_at,
    first_asserted_at} per source asserting (or referring to) the node."""

    def per_source(self) -> dict[str, dict[str, Any]]:
        """source_id -> {asserted key: when it last changed}."""
        return {
            a["source_id"]: dict(zip(a["keys"] or [], a["changed_at"] or [], strict=True))
            for a in self.assertions
        }


def read_node_states(
    tx: neo4j.Transaction, node_eids: Sequence[str], batch_size: int = 10_000
) -> dict[str, NodeState]:
    """The state of each node (by element id) before it changes."""
    states: dict[str, NodeState] = {}
    for chunk in chunked(list(node_eids), batch_size):
        for rec in runner.rows(tx, "load/nodes_state", node_eids=chunk):
            states[rec["node_eid"]] = NodeState(
                rec["node_eid"], sorted(rec["labels"]), dict(rec["props"]), rec["assertions"]
            )
    return states


def close_nodes(
    tx: neo4j.Transaction,
    states: Iterable[NodeState],
    stamp: Stamp,
    *,
    retired: bool = False,
    batch_size: int = 10_000,
) -> int:
    """Write the closed version of each node's state (before the statement that changes the
    node, which stamps it with the new version). A state whose version began in this very
    transaction is never visible at any time and is not kept. Returns how many were written."""
    rows = [r for r in (_node_version(s, stamp, retired) for s in states) if r is not None]
    for chunk in chunked(rows, batch_size):
        runner.run(tx, "versions/nodes_close", rows=chunk)
    return len(rows)


def read_edge_states(
    tx: neo4j.Transaction, rel_eids: Sequence[str], batch_size: int = 10_000
) -> list[dict[str, Any]]:
    """The state of relationships between twin nodes (by element id) before they change."""
    found: list[dict[str, Any]] = []
    for chunk in chunked(list(rel_eids), batch_size):
        found += [dict(r) for r in runner.rows(tx, "versions/edge_states", rel_eids=chunk)]
    return found


def read_node_edge_states(tx: neo4j.Transaction, node_eids: Sequence[str]) -> list[dict[str, Any]]:
    """The state of every twin relationship of the nodes (by element id), each once."""
    found: dict[str, dict[str, Any]] = {}
    for rec in runner.rows(tx, "versions/node_edge_states", node_eids=list(node_eids)):
        found.setdefault(rec["rel_eid"], dict(rec))
    return list(found.values())


def close_edges(
    tx: neo4j.Transaction,
    states: Iterable[dict[str, Any]],
    stamp: Stamp,
    *,
    closed_by: dict[str, str] | None = None,
    batch_size: int = 10_000,
) -> int:
    """Write the closed version of each relationship state (`read_edge_states`), before the
    statement that changes or deletes it. `closed_by`: rel_eid -> the source or actor closing
    it, where that is not `stamp.source` (a selector). Returns how many were written."""
    rows = []
    for state in states:
        props = state["props"]
        began = props.get("version_from")
        if _same_time(began, stamp.now):
            continue
        rows.append(
            {
                "start": state["start"],
                "end": state["end"],
                "type": state["type"],
                "props": encode({k: v for k, v in props.items() if k not in VERSION_KEYS}),
                "version_from": began if began is not None else stamp.now,
                "version_source": props.get("version_source"),
                "version_run": props.get("version_run"),
                "version_to": stamp.now,
                "closed_by_source": (closed_by or {}).get(state["rel_eid"], stamp.source),
                "closed_by_run": stamp.run,
            }
        )
    for chunk in chunked(rows, batch_size):
        runner.run(tx, "versions/edges_close", rows=chunk)
    return len(rows)


def close_source(tx: neo4j.Transaction, source_id: str, stamp: Stamp) -> None:
    """Keep an import source's state before a re-import refreshes it (SourceVersion)."""
    runner.run(tx, "versions/source_close", source_id=source_id, now=stamp.now, run=stamp.run)


def _node_version(state: NodeState, stamp: Stamp, retired: bool) -> dict[str, Any] | None:
    props = state.props
    began = props.get("version_from")
    if _same_time(began, stamp.now):
        return None
    return {
        "twin_id": props.get("twin_id"),
        "kind": props.get("kind"),
        "name": props.get("name"),
        "brick_class": props.get("brick_class"),
        "labels": state.labels,
        "props": encode({k: v for k, v in props.items() if k not in UNVERSIONED_KEYS}),
        "assertions": encode_assertions(state.assertions),
        "version_from": began if began is not None else stamp.now,
        "version_source": props.get("version_source"),
        "version_run": props.get("version_run"),
        "version_to": stamp.now,
        "closed_by_source": stamp.source,
        "closed_by_run": stamp.run,
        "retired": retired,
    }


def _same_time(value: Any, now: datetime) -> bool:
    if value is None:
        return False
    native = value.to_native() if hasattr(value, "to_native") else value
    return bool(native == now)
