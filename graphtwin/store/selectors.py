"""Selector resolution: relationships that follow the twin instead of naming their targets.

A governance constraint says "every Office space" (`selects_as: APPLIES_TO`,
`selects_kind: Space`, `selects_brick_class: Office`), not "these 12 rooms". After every import,
in the import's own transaction, each selecting node's selector is evaluated against the whole
twin and its relationships are brought in line: new matches get an edge (`selector` = the
selecting node's twin_id, no `sources`), edges to nodes that no longer match are dropped. So an
office imported later from IFC is governed at once, and a retired one stops being governed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import neo4j

from graphtwin.store import statement_runner as runner
from graphtwin.store.versions import Stamp, close_edges, read_edge_states

SELECTABLE_TYPES = frozenset({"APPLIES_TO", "RESPONSIBLE_FOR"})
"""Relationship types a selector may make (the governance file's selector fields)."""

_FILTERS = ("kind", "brick_class", "ifc_class", "isa95_level")


@dataclass(slots=True)
class SelectorReport:
    created: int = 0
    deleted: int = 0
    empty: list[str] = field(default_factory=list)
    """twin_ids of selecting nodes whose selector matches nothing (worth a warning)."""


def resolve_selectors(tx: neo4j.Transaction, *, now: datetime, run: str) -> SelectorReport:
    """Bring every selector's relationships in line with the twin; the versions they make and
    close name `selector:<twin_id>` and the run `run` (docs/history.md)."""
    report = SelectorReport()
    selecting = [dict(r) for r in runner.rows(tx, "selectors/selecting_nodes")]
    selecting = [s for s in selecting if s["rel_type"] in SELECTABLE_TYPES]
    if not selecting:
        return report
    wanted = _matches(tx, selecting)
    have: dict[str, dict[str, dict[str, Any]]] = {s["eid"]: {} for s in selecting}
    rows = [{"eid": s["eid"], "rel_type": s["rel_type"]} for s in selecting]
    for rec in runner.rows(tx, "selectors/selected_edges", selecting=rows):
        have[rec["s_eid"]][rec["t_eid"]] = dict(rec)

    create, drop = [], []
    for s in selecting:
        targets, edges = wanted[s["eid"]], have[s["eid"]]
        if not targets:
            report.empty.append(s["twin_id"])
        for t_eid in sorted(targets - edges.keys()):
            create.append({"s_eid": s["eid"], "t_eid": t_eid, "type": s["rel_type"]})
        drop += [e["rel_eid"] for t, e in edges.items() if t not in targets and e["by_selector"]]
    if create:
        runner.run(tx, "selectors/edges_create", rows=create, now=now, run=run)
        report.created = len(create)
    if drop:
        states = read_edge_states(tx, drop)
        closed_by = {s["rel_eid"]: f"selector:{s['props'].get('selector')}" for s in states}
        close_edges(tx, states, Stamp(now, "selector", run), closed_by=closed_by)
        record = runner.row(tx, "selectors/edges_drop", rel_eids=drop, now=now, run=run)
        report.deleted = record["deleted"] if record else 0
    return report


def _matches(tx: neo4j.Transaction, selecting: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Selecting node -> element ids of the nodes its selector matches (itself excluded).
    Attribute-only selectors are evaluated together in one statement; a `within` selector
    walks its own subtree."""
    wanted: dict[str, set[str]] = {s["eid"]: set() for s in selecting}
    flat = [{"eid": s["eid"], **{k: s[k] for k in _FILTERS}} for s in selecting if not s["within"]]
    if flat:
        for r in runner.rows(tx, "selectors/matching_nodes", selectors=flat):
            wanted[r["selector"]].add(r["eid"])
    for s in selecting:
        if s["within"]:
            wanted[s["eid"]] = {
                r["eid"]
                for r in runner.rows(tx, "selectors/subtree_nodes", root=s["within"])
                if all(s[k] is None or r[k] == s[k] for k in _FILTERS)
            }
    for eid, targets in wanted.items():
        targets.discard(eid)
    return wanted
