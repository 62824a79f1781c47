"""Load a twin graph into Neo4j inside a transaction the caller owns.

The loader reads before it writes: it looks up which nodes and relationships exist and what this
source asserted last time, decides in Python what is created, updated, unchanged or removed, and
then writes only the difference with batched `UNWIND` statements that address existing entities
by element id. Nothing is `MERGE`d with a dynamic label or type (Neo4j 5.26 plans those as full
scans), re-importing an unchanged file writes nothing, and the caller's single transaction makes
the import atomic.

Lineage kept per the graph contract:
- `(n:Twin)-[:ASSERTED_IN {hash, keys, changed_at, first_asserted_at}]->(:Source)`: which
  properties (`keys`) this source asserts on the node and when each last changed
  (`changed_at`, parallel to `keys`). Empty `keys` means the source only refers to the node.
- relationships carry `sources` (ids of the sources asserting them), `hash`, `changed_at` and
  `first_asserted_at`.
A node that no source defines any more is retired, not deleted: it keeps its last properties
as `(:Retired {retired_at, retired_by})` history, outside the live twin.

Versions (docs/history.md): every node and relationship the import changes has its previous
state closed as a (:NodeVersion) / (:EdgeVersion) first, and the changed element is stamped with
`version_from` = now, `version_source` = the source, `version_run` = the import run. Nodes are
read before anything is written, so a closed version keeps the lineage it had.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import neo4j

import graphtwin
from graphtwin.batching import chunked
from graphtwin.model import RESERVED_RELATIONSHIP_KEYS, TwinGraph, TwinNode, TwinRelationship
from graphtwin.store import statement_runner as runner
from graphtwin.store.diff import (
    Assertion,
    ForeignNode,
    NodeUpdate,
    PreviousRelationship,
    RelationshipUpdate,
    RelKey,
    check_endpoints,
    diff_nodes,
    diff_relationships,
    relationships_to_look_up,
)
from graphtwin.store.import_guards import ImportPolicy, check_ownership, check_retirement
from graphtwin.store.report import LoadReport
from graphtwin.store.rows import new_node_row, new_relationship_row, node_properties
from graphtwin.store.versions import (
    NodeState,
    Stamp,
    close_edges,
    close_nodes,
    close_source,
    new_run_id,
    read_edge_states,
    read_node_edge_states,
    read_node_states,
)
from graphtwin.twin_diff import TwinDiff

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while a load runs."""


class GraphLoader:
    """Loads twin graphs through one open transaction."""

    def __init__(
        self,
        tx: neo4j.Transaction,
        *,
        now: datetime,
        batch_size: int,
        progress: Progress | None = None,
        collect_diff: bool = False,
        policy: ImportPolicy | None = None,
        run_id: str | None = None,
    ) -> None:
        self._tx = tx
        self.run_id = run_id or new_run_id("import", now)
        """The import run: on every version this loader makes, and on its reports."""
        self._policy = policy or ImportPolicy()
        self._now = now
        self._batch = batch_size
        self._progress = progress or (lambda stage, done, total: None)
        self._collect_diff = collect_diff
        self._changed_keys: dict[str, list[str]] = {}
        self._states: dict[str, NodeState] = {}

    def load(self, graph: TwinGraph, *, dry_run: bool = False) -> LoadReport:
        started = time.perf_counter()
        source_id = graph.source.source_id

        # Read what this source asserted last time (one pass each) and what else exists.
        known_source = self._read_source(source_id)
        # A source belongs to its format and file lineage: another may not replace it.
        taken_over = check_ownership(graph.source, known_source, self._policy)
        previous = self._source_nodes(source_id) if known_source else {}
        previous_rels = self._source_relationships(source_id) if known_source else {}
        unseen = [t for t in (*graph.nodes, *graph.external_endpoints()) if t not in previous]
        foreign = self._lookup_nodes(unseen)

        nodes = diff_nodes(graph, previous, foreign)
        other_keys = self._other_definitions(
            [a.node_eid for a in nodes.retracted.values()], source_id
        )
        doomed = {t for t, a in nodes.retracted.items() if other_keys[a.node_eid] is None}
        defined = sum(1 for a in previous.values() if a.defines)
        retire_allowed = check_retirement(graph.source, defined, doomed, self._policy)
        check_endpoints(graph, previous, foreign, doomed)
        candidates = relationships_to_look_up(graph, previous_rels, nodes.created)
        rels = diff_relationships(graph, previous_rels, self._lookup_relationships(candidates))

        report = LoadReport(
            source_id=source_id,
            format=graph.source.format,
            file=graph.source.file_name,
            sha256=graph.source.sha256,
            dry_run=dry_run,
            nodes_created=len(nodes.created),
            nodes_updated=len(nodes.updated),
            nodes_unchanged=nodes.unchanged,
            nodes_removed=len(nodes.retracted),
            nodes_retired=len(doomed),
            rels_created=len(rels.created),
            rels_updated=len(rels.updated),
            rels_unchanged=rels.unchanged,
            rels_removed=len(rels.retracted),
            retire_guard_overridden=retire_allowed,
            source_taken_over=taken_over.to_json() if taken_over else None,
            run_id=self.run_id,
        )
        references_changed = bool(nodes.references_new or nodes.references_stale)
        if report.changed or references_changed or known_source != _metadata(graph):
            stamp = Stamp(self._now, source_id, self.run_id)
            # Every node about to change, read before anything is written (its lineage then).
            stale_nodes = {a.assertion_eid: a.node_eid for a in previous.values()}
            referenced = [foreign[t].node_eid for t in nodes.references_new if t in foreign]
            self._states = read_node_states(
                self._tx,
                [
                    *(u.node_eid for u in nodes.updated),
                    *(a.node_eid for a in nodes.retracted.values()),
                    *referenced,
                    *(stale_nodes[e] for e in nodes.references_stale),
                ],
                self._batch,
            )
            if known_source:
                close_source(self._tx, source_id, stamp)
            self._run("load/source_upsert", **_metadata_params(graph))
            self._create_nodes(nodes.created, source_id)
            self._update_nodes(nodes.updated, source_id)
            self._close_nodes(referenced, stamp)
            self._run("load/nodes_reference", ids=nodes.references_new, source_id=source_id)
            report.rels_deleted += self._retract_relationships(
                list(rels.retracted.values()), source_id
            )
            still_referenced = graph.external_endpoints()
            self._retract_nodes(nodes.retracted, doomed, other_keys, still_referenced, source_id)
            report.rels_deleted += self._retire_nodes(
                [nodes.retracted[t].node_eid for t in sorted(doomed)], source_id
            )
            self._close_nodes([stale_nodes[e] for e in nodes.references_stale], stamp)
            self._run(
                "load/assertions_delete",
                assertion_eids=nodes.references_stale,
                source_id=source_id,
            )
            self._create_relationships(rels.created, source_id)
            self._update_relationships(rels.updated, source_id)
        if self._collect_diff:
            report.diff = TwinDiff(
                added=[n.twin_id for n in nodes.created],
                removed=sorted(nodes.retracted),
                changed={
                    u.node.twin_id: self._changed_keys.get(u.node.twin_id, [])
                    for u in nodes.updated
                },
                relationships_added=[r.key for r in rels.created],
                relationships_removed=list(rels.retracted),
                relationships_changed=[u.relationship.key for u in rels.updated],
            )
        report.duration_s = round(time.perf_counter() - started, 3)
        return report

    # --- reads ----------------------------------------------------------------------------

    def _read_source(self, source_id: str) -> dict[str, str | None] | None:
        record = runner.row(self._tx, "load/source_lookup", source_id=source_id)
        return dict(record) if record else None

    def _source_nodes(self, source_id: str) -> dict[str, Assertion]:
        result = runner.rows(self._tx, "load/source_nodes", source_id=source_id)
        return {
            rec["twin_id"]: Assertion(
                rec["kind"], rec["node_eid"], rec["assertion_eid"], rec["hash"], rec["defines"]
            )
            for rec in result
        }

    def _source_relationships(self, source_id: str) -> dict[RelKey, PreviousRelationship]:
        result = runner.rows(self._tx, "load/source_relationships", source_id=source_id)
        return {
            (rec["start"], rec["type"], rec["end"]): PreviousRelationship(
                rec["rel_eid"], rec["hash"]
            )
            for rec in result
        }

    def _lookup_nodes(self, ids: list[str]) -> dict[str, ForeignNode]:
        found: dict[str, ForeignNode] = {}
        done = 0
        for chunk in chunked(ids, self._batch):
            for rec in runner.rows(self._tx, "load/nodes_lookup", ids=chunk):
                found[rec["id"]] = ForeignNode(rec["kind"], rec["node_eid"])
            done += len(chunk)
            self._progress("reading nodes", done, len(ids))
        return found

    def _other_definitions(
        self, node_eids: list[str], source_id: str
    ) -> dict[str, set[str] | None]:
        """Keys other sources define on each node; None where no other source defines it."""
        keys: dict[str, set[str] | None] = {}
        for chunk in chunked(node_eids, self._batch):
            result = runner.rows(
                self._tx, "load/nodes_other_definitions", node_eids=chunk, source_id=source_id
            )
            for rec in result:
                keys[rec["node_eid"]] = (
                    {k for ks in rec["keys"] for k in ks} if rec["definitions"] else None
                )
        return keys

    def _lookup_relationships(self, rels: Sequence[TwinRelationship]) -> dict[RelKey, str]:
        found: dict[RelKey, str] = {}
        done = 0
        for chunk in chunked(rels, self._batch):
            rows = [
                {"i": i, "start": r.start, "type": r.type, "end": r.end}
                for i, r in enumerate(chunk)
            ]
            for rec in runner.rows(self._tx, "load/relationships_lookup", rows=rows):
                found[chunk[rec["i"]].key] = rec["rel_eid"]
            done += len(chunk)
            self._progress("reading relationships", done, len(rels))
        return found

    # --- writes ---------------------------------------------------------------------------

    def _create_nodes(self, nodes: list[TwinNode], source_id: str) -> None:
        done = 0
        for chunk in chunked(nodes, self._batch):
            rows = [new_node_row(n) for n in chunk]
            self._run("load/nodes_create", rows=rows, source_id=source_id)
            done += len(chunk)
            self._progress("writing nodes", done, len(nodes))

    def _update_nodes(self, updates: list[NodeUpdate], source_id: str) -> None:
        for chunk in chunked(updates, self._batch):
            self._close_nodes([u.node_eid for u in chunk], Stamp(self._now, source_id, self.run_id))
            rows = []
            for update in chunk:
                node = update.node
                state = self._states[update.node_eid]
                props, assertions = state.props, state.per_source()
                mine = assertions.get(source_id, {})
                others = {k for sid, a in assertions.items() if sid != source_id for k in a}
                new_props = node_properties(node)
                keys = node.asserted_keys()
                changed_at = [
                    mine[k] if k in mine and props.get(k) == new_props.get(k) else self._now
                    for k in keys
                ]
                drop = sorted(set(mine) - set(keys) - others)
                self._changed_keys[node.twin_id] = sorted(
                    [k for k in keys if props.get(k) != new_props.get(k)] + drop
                )
                rows.append(
                    {
                        "node_eid": update.node_eid,
                        "props": new_props,
                        "drop_keys": drop,
                        "hash": node.content_hash(),
                        "keys": keys,
                        "changed_at": changed_at,
                    }
                )
            self._run("load/nodes_update", rows=rows, source_id=source_id)

    def _close_nodes(self, node_eids: list[str], stamp: Stamp, *, retired: bool = False) -> None:
        """Close the versions of nodes about to change (their state as read before writing)."""
        states = [self._states[e] for e in node_eids if e in self._states]
        close_nodes(self._tx, states, stamp, retired=retired, batch_size=self._batch)

    def _retract_nodes(
        self,
        retracted: dict[str, Assertion],
        doomed: set[str],
        other_keys: dict[str, set[str] | None],
        still_referenced: set[str],
        source_id: str,
    ) -> None:
        survivors = [(t, a) for t, a in retracted.items() if t not in doomed]
        if not survivors:
            return
        self._close_nodes(
            [a.node_eid for _, a in survivors], Stamp(self._now, source_id, self.run_id)
        )
        rows = []
        for twin_id, a in survivors:
            mine = self._states[a.node_eid].per_source().get(source_id, {})
            keep = other_keys[a.node_eid] or set()
            rows.append(
                {
                    "node_eid": a.node_eid,
                    "assertion_eid": a.assertion_eid,
                    "drop_keys": sorted(set(mine) - keep - {"kind", "name"}),
                    "keep_reference": twin_id in still_referenced,
                }
            )
        for chunk in chunked(rows, self._batch):
            self._run("load/nodes_retract", rows=chunk, source_id=source_id)

    def _retire_nodes(self, node_eids: list[str], source_id: str) -> int:
        deleted_rels = 0
        stamp = Stamp(self._now, source_id, self.run_id)
        for chunk in chunked(node_eids, self._batch):
            self._close_nodes(chunk, stamp, retired=True)
            close_edges(self._tx, read_node_edge_states(self._tx, chunk), stamp)
            record = runner.row(
                self._tx, "load/nodes_retire", node_eids=chunk, source_id=source_id, now=self._now
            )
            deleted_rels += record["relationships"] if record else 0
        return deleted_rels

    def _create_relationships(self, rels: list[TwinRelationship], source_id: str) -> None:
        done = 0
        for chunk in chunked(rels, self._batch):
            rows = [new_relationship_row(r) for r in chunk]
            self._run("load/relationships_create", rows=rows, source_id=source_id)
            done += len(chunk)
            self._progress("writing relationships", done, len(rels))

    def _update_relationships(self, updates: list[RelationshipUpdate], source_id: str) -> None:
        stamp = Stamp(self._now, source_id, self.run_id)
        for chunk in chunked(updates, self._batch):
            close_edges(self._tx, read_edge_states(self._tx, [u.rel_eid for u in chunk]), stamp)
            rows = [
                {
                    "rel_eid": u.rel_eid,
                    "props": u.relationship.properties,
                    "hash": u.relationship.content_hash(),
                }
                for u in chunk
            ]
            self._run(
                "load/relationships_update",
                rows=rows,
                source_id=source_id,
                lineage_keys=sorted(RESERVED_RELATIONSHIP_KEYS),
            )

    def _retract_relationships(self, rel_eids: list[str], source_id: str) -> int:
        deleted = 0
        stamp = Stamp(self._now, source_id, self.run_id)
        for chunk in chunked(rel_eids, self._batch):
            close_edges(self._tx, read_edge_states(self._tx, chunk), stamp)
            record = runner.row(
                self._tx,
                "load/relationships_retract",
                rel_eids=chunk,
                source_id=source_id,
                now=self._now,
                run=self.run_id,
            )
            deleted += record["deleted"] if record else 0
        return deleted

    def _run(self, statement: str, **params: Any) -> None:
        for key in ("ids", "rows", "node_eids", "assertion_eids", "rel_eids"):
            if key in params and not params[key]:
                return  # an empty batch has nothing to write
        runner.run(self._tx, statement, now=self._now, run=self.run_id, **params)


def _metadata(graph: TwinGraph) -> dict[str, str | None]:
    s = graph.source
    return {"format": s.format, "file_name": s.file_name, "sha256": s.sha256, "lineage": s.lineage}


def _metadata_params(graph: TwinGraph) -> dict[str, str | None]:
    return {
        **_metadata(graph),
        "source_id": graph.source.source_id,
        "graphtwin_version": graphtwin.__version__,
    }
