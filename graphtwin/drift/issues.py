"""Drift issues as the monitors report them, before they reach the graph and the audit log.

A monitor reports transitions, not states: a condition `opened`, `changed` (its severity went
up or down) or `resolved`. The reconciler turns each into a graph write and an audit record,
according to the strategy of the rule that found it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DriftType(StrEnum):
    THRESHOLD = "threshold"
    STALENESS = "staleness"
    STRUCTURAL = "structural"
    SEMANTIC = "semantic"
    PREDICTED = "predicted"
    """A forecast crosses a threshold rule within its horizon (graphtwin.prediction): the
    early warning before a `threshold` issue, which links to it (PREDICTED_BY) if it happens."""
    BEHAVIOUR = "behaviour"
    """A point behaves unlike its relations or its history (graphtwin.behaviour): a stuck,
    offset or swapped sensor, a point that contradicts its label, equipment that changed."""


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class Transition(StrEnum):
    OPENED = "opened"
    CHANGED = "changed"
    RESOLVED = "resolved"


class IssueStatus(StrEnum):
    """Where an issue stands. `open` waits for a person, `investigating` has one, and
    `auto_corrected` was handled by the twin itself; all become `resolved` when the condition
    clears."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    AUTO_CORRECTED = "auto_corrected"
    RESOLVED = "resolved"


@dataclass(slots=True)
class DriftEvent:
    """One transition of one condition on one entity."""

    transition: Transition
    type: DriftType
    twin_id: str
    issue_id: str
    at_ms: int
    severity: Severity | None = None
    description: str | None = None
    value: float | None = None
    rule: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def issue_id(drift_type: DriftType, twin_id: str, at_ms: int) -> str:
    """Stable and unique: one entity cannot start two conditions of a type in the same ms."""
    return f"drift:{drift_type}:{twin_id}:{at_ms}"
