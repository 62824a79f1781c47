"""Reconciliation: what the twin does about a drift condition, per the strategy of its rule.

Reality wins: measured values always reach the twin. The strategy decides what happens to the
condition itself:
- `auto_correct`: the twin adopted reality's value; the issue is recorded as `auto_corrected`.
- `alert`: the issue is `open` for a person, logged, and POSTed to the rule's local webhook.
- `investigate`: the issue is `investigating` (someone is on it), no alert.
- `ignore`: no issue; the transition is only written to the audit log.
Every transition, whatever the strategy, is one audit record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphtwin.drift.issues import DriftEvent, DriftType, IssueStatus, Severity, Transition
from graphtwin.drift.rules import Strategy

log = logging.getLogger(__name__)

_STATUS: dict[str, IssueStatus] = {
    "alert": IssueStatus.OPEN,
    "investigate": IssueStatus.INVESTIGATING,
    "auto_correct": IssueStatus.AUTO_CORRECTED,
}


def strategy_status(strategy: Strategy) -> IssueStatus:
    """The status an issue opens with under `strategy` (not `ignore`: that opens none).

    >>> strategy_status("auto_correct")
    <IssueStatus.AUTO_CORRECTED: 'auto_corrected'>
    """
    return _STATUS[strategy]


@dataclass(frozen=True, slots=True)
class Policy:
    strategy: Strategy
    webhook: str | None = None


@dataclass
class Reconciled:
    """The graph writes, audit records and alerts a set of transitions comes to."""

    open_rows: list[dict[str, Any]] = field(default_factory=list)
    update_rows: list[dict[str, Any]] = field(default_factory=list)
    health_rows: list[dict[str, Any]] = field(default_factory=list)
    audit: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    alerts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (webhook, body)

    def __bool__(self) -> bool:
        return bool(self.open_rows or self.update_rows or self.health_rows or self.audit)


def reconcile(events: list[DriftEvent], policy_of: Callable[[str | None], Policy]) -> Reconciled:
    done = Reconciled()
    for event in events:
        policy = policy_of(event.rule)
        record = _record(event, policy)
        if event.type is DriftType.STALENESS:
            health = "ok" if event.transition is Transition.RESOLVED else "stale"
            done.health_rows.append({"twin_id": event.twin_id, "health": health})
        if policy.strategy == "ignore":
            done.audit.append(("drift_ignored", record))
            continue
        if event.transition is Transition.OPENED:
            done.open_rows.append(_open_row(event, policy))
        else:
            done.update_rows.append(_update_row(event))
        done.audit.append((f"drift_{event.transition}", record))
        if policy.strategy == "alert" and _alerts(event):
            log.warning("drift %s on %s: %s", event.type, event.twin_id, event.description)
            if policy.webhook:
                done.alerts.append((policy.webhook, record))
    return done


def _alerts(event: DriftEvent) -> bool:
    """A person hears of an opened condition and of one that became critical."""
    return event.transition is Transition.OPENED or (
        event.transition is Transition.CHANGED and event.severity is Severity.CRITICAL
    )


def _record(event: DriftEvent, policy: Policy) -> dict[str, Any]:
    return {
        "issue_id": event.issue_id,
        "transition": str(event.transition),
        "type": str(event.type),
        "twin_id": event.twin_id,
        "severity": str(event.severity) if event.severity else None,
        "description": event.description,
        "value": event.value,
        "rule": event.rule,
        "strategy": policy.strategy,
        "at_ms": event.at_ms,
        "evidence": event.evidence,
    }


def _open_row(event: DriftEvent, policy: Policy) -> dict[str, Any]:
    return {
        "issue_id": event.issue_id,
        "twin_id": event.twin_id,
        "type": str(event.type),
        "severity": str(event.severity),
        "description": event.description,
        "at_ms": event.at_ms,
        "status": str(_STATUS[policy.strategy]),
        "strategy": policy.strategy,
        "rule": event.rule,
        "value": event.value,
        "evidence": _evidence_text(event.evidence),
    }


def _update_row(event: DriftEvent) -> dict[str, Any]:
    resolved = event.transition is Transition.RESOLVED
    return {
        "issue_id": event.issue_id,
        "severity": None if resolved else str(event.severity),
        "description": None if resolved else event.description,
        "value": event.value,
        "status": str(IssueStatus.RESOLVED) if resolved else None,
        "resolved_at_ms": event.at_ms if resolved else None,
    }


def _evidence_text(evidence: dict[str, Any]) -> str:
    """Neo4j properties are flat: the evidence is kept as JSON text."""
    return json.dumps(evidence, sort_keys=True, default=str)
