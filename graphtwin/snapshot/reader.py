"""Read what a snapshot shows: the graph through the `cypher/snapshot` statements (and the
data sources, drift issues and migrations the telemetry and schema code already read), plus
the bindings file's audit log.

The reads are separate queries, not one transaction: a sync writing meanwhile can make a later
section a moment newer than an earlier one, which a snapshot of a live twin tolerates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphtwin.audit import (
    AuditLogError,
    read_audit_log,
    utc_stamp,
    verify_audit_log,
)
from graphtwin.snapshot.inputs import RECENT_ACTIONS, AuditState, Row, SnapshotInputs
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile
from graphtwin.vocabulary import vocabulary

STRUCTURAL_EXAMPLES = 20
"""twin_ids a structural check lists besides its count."""
ZONE_KIND = "Zone"
"""The kind of the nodes a what-if run models thermally (one calibrated model each)."""


def read_snapshot(
    store: TwinStore,
    *,
    root: str | None = None,
    source: str | None = None,
    bindings: BindingsFile | None = None,
    bindings_path: Path | None = None,
) -> SnapshotInputs:
    """Everything `build_snapshot` needs, for the whole twin, the subtree of `root`, what the
    import `source` defines, or both (as `TwinStore.scope` selects them: TwinNotFoundError,
    UnknownSourceError when the root, the source does not exist)."""
    taken_at = utc_stamp()
    scope = store.scope(root=root, source=source)
    ids = None if scope is None else sorted(scope)
    [drift] = store.read("snapshot/drift", ids=ids)
    [structure] = store.read("snapshot/structural_checks", ids=ids, sample=STRUCTURAL_EXAMPLES)
    types = sorted(vocabulary().relationship_types)
    [calibration] = store.read("snapshot/calibration", ids=ids, now=taken_at, zone_kind=ZONE_KIND)
    return SnapshotInputs(
        taken_at=taken_at,
        root=root,
        source=source,
        entities=[_plain_row(row) for row in store.read("snapshot/entities", ids=ids)],
        relationships=store.read("snapshot/relationships", ids=ids, types=types),
        sources=store.read("snapshot/sources", ids=ids),
        data_sources=[row["source"] for row in store.read("telemetry/sources")],
        unresolved_issues=drift["unresolved"],
        last_issue_at=drift["last_detected"],
        structural_checks=structure["checks"],
        migrations=[{"version": m.version, "name": m.name} for m in store.applied_migrations()],
        calibration=calibration,
        bindings=bindings,
        bindings_path=bindings_path,
        audit=read_audit(bindings.audit_log) if bindings is not None else None,
    )


def read_audit(path: Path) -> AuditState:
    """The log's chain checked and its last records; a log that is absent or unreadable is
    reported in the state, not raised: the rest of the snapshot is still worth having."""
    if not path.exists():
        return AuditState(path, exists=False)
    try:
        verification = verify_audit_log(path)
    except AuditLogError as exc:
        return AuditState(path, exists=True, problem=exc.message)
    try:
        records = read_audit_log(path, tail=RECENT_ACTIONS)
    except AuditLogError as exc:
        return AuditState(path, exists=True, verification=verification, problem=exc.message)
    return AuditState(path, exists=True, verification=verification, records=records)


def _plain_row(row: Row) -> Row:
    """Node properties with any Neo4j temporal value as ISO text (the statement converts the
    ones telemetry writes; a source may have stored others)."""
    return {**row, "props": {k: _plain(v) for k, v in row["props"].items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value
