"""What a snapshot is built from: the rows read from the graph and the files, as plain data.

Kept apart from the reads so the builder is a pure function that tests can feed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphtwin.audit import AuditRecord, AuditVerification
from graphtwin.telemetry.bindings import BindingsFile

Row = dict[str, Any]

RECENT_ACTIONS = 20
"""Audit records a snapshot shows as recent reconciliation actions."""


@dataclass(frozen=True, slots=True)
class AuditState:
    """The bindings file's audit log as the snapshot saw it."""

    path: Path
    exists: bool
    verification: AuditVerification | None = None
    records: list[AuditRecord] = field(default_factory=list)
    """The last records, oldest first."""
    problem: str | None = None
    """Why the records could not be read (the log is there but unreadable or broken)."""


@dataclass(frozen=True, slots=True)
class SnapshotInputs:
    """Everything one snapshot shows. Rows have the shape of the `cypher/snapshot/*` answers;
    times in them are ISO text."""

    taken_at: str
    root: str | None = None
    source: str | None = None
    """The import source the snapshot is limited to (with `root`: both at once)."""
    entities: list[Row] = field(default_factory=list)
    """{twin_id, kind, props, sources, last_updated} (cypher/snapshot/entities)."""
    relationships: list[Row] = field(default_factory=list)
    """{start_id, type, end_id} (cypher/snapshot/relationships)."""
    sources: list[Row] = field(default_factory=list)
    """Import sources: {source_id, format, file_name, sha256, imported_at, first_imported_at,
    entities} (cypher/snapshot/sources)."""
    data_sources: list[Row] = field(default_factory=list)
    """(:DataSource) properties as the sync publishes them (cypher/telemetry/sources)."""
    unresolved_issues: list[Row] = field(default_factory=list)
    """DriftIssues not resolved, newest first (cypher/snapshot/drift)."""
    last_issue_at: str | None = None
    """When the newest DriftIssue of any status was detected."""
    structural_checks: list[Row] = field(default_factory=list)
    """{check, count, examples} (cypher/snapshot/structural_checks)."""
    migrations: list[Row] = field(default_factory=list)
    """Applied schema migrations: {version, name}, oldest first."""
    calibration: Row | None = None
    """The what-if state: {zones, models, calibrated, from_priors, stale, oldest_fit, runs,
    last_run_at} (cypher/snapshot/calibration); None: not read."""
    bindings: BindingsFile | None = None
    bindings_path: Path | None = None
    audit: AuditState | None = None
