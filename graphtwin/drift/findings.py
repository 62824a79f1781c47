"""Structural and semantic findings (from the rules or a trained model) into drift issues.

A detection run is a full look at the twin, so it reconciles against what is open: a finding not
yet open opens an issue, an open issue its rule no longer finds is resolved, one still found is
left as it is (its id and detection time stay). Only the rules that ran can resolve their issues:
a rules-only run leaves the model's issues alone. Every transition goes to the audit log.
A finding a person labelled a false alarm is not reopened (graphtwin.drift.labels): it is
counted as `suppressed`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from graphtwin.audit import AuditLog
from graphtwin.drift.issues import DriftEvent, DriftType, Severity, Transition, issue_id
from graphtwin.drift.labels import finding_key, labels, suppressed_keys
from graphtwin.drift.reconcile import Policy, reconcile
from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import GraphWriter

FINDING_TYPES = (DriftType.STRUCTURAL, DriftType.SEMANTIC, DriftType.BEHAVIOUR)


@dataclass(frozen=True, slots=True)
class Finding:
    twin_id: str
    type: DriftType
    rule: str
    severity: Severity
    description: str
    score: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recorded:
    opened: int
    resolved: int
    kept: int
    suppressed: int = 0
    """Findings a person labelled a false alarm (graphtwin.drift.labels): not reopened."""


def record_findings(
    store: TwinStore,
    findings: list[Finding],
    rules_run: set[str],
    audit: AuditLog | None = None,
    at_ms: int | None = None,
    scope: set[str] | None = None,
) -> Recorded:
    """`scope`: the twin_ids the run looked at (None: the whole twin); an open issue of a node
    outside it is not the run's to resolve (a run on one building leaves the others' alone)."""
    at_ms = at_ms if at_ms is not None else int(time.time() * 1000)
    dismissed = suppressed_keys(labels(store))
    before = len(findings)
    findings = [
        f for f in findings if finding_key(f.type, f.rule, f.twin_id, f.evidence) not in dismissed
    ]
    rows = store.read("drift/issues_unresolved", types=[str(t) for t in FINDING_TYPES])
    open_now = {(r["twin_id"], r["type"], r["rule"]): r["issue_id"] for r in rows}
    found = {(f.twin_id, str(f.type), f.rule): f for f in findings}
    events = [_opened(f, at_ms) for key, f in found.items() if key not in open_now]
    events += [
        DriftEvent(Transition.RESOLVED, DriftType(key[1]), key[0], issue, at_ms, rule=key[2])
        for key, issue in open_now.items()
        if key not in found and key[2] in rules_run and (scope is None or key[0] in scope)
    ]
    done = reconcile(events, lambda _rule: Policy("alert"))
    GraphWriter(store).write_batch([], [], done.open_rows, done.update_rows)
    if audit is not None:
        for kind, record in done.audit:
            audit.append(kind, record)
    opened = sum(e.transition is Transition.OPENED for e in events)
    return Recorded(
        opened=opened,
        resolved=len(events) - opened,
        kept=len(found) - opened,
        suppressed=before - len(findings),
    )


def _opened(finding: Finding, at_ms: int) -> DriftEvent:
    return DriftEvent(
        Transition.OPENED,
        finding.type,
        finding.twin_id,
        # one entity may have several findings of a type at once, one per rule
        f"{issue_id(finding.type, finding.twin_id, at_ms)}:{finding.rule}",
        at_ms,
        severity=finding.severity,
        description=finding.description,
        value=finding.score,
        rule=finding.rule,
        evidence=finding.evidence,
    )
