"""Threshold drift: a value out of its warning or critical bounds, with hysteresis.

A level rises as soon as a value crosses a bound, and falls only once the value is back inside
by the hysteresis margin, so a value hovering at a bound opens one issue, not a flurry.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.drift.issues import DriftEvent, DriftType, Severity, Transition, issue_id
from graphtwin.drift.rules import Bounds, Thresholds

_NORMAL, _WARNING, _CRITICAL = 0, 1, 2
_SEVERITY = {_WARNING: Severity.WARNING, _CRITICAL: Severity.CRITICAL}


def _outside(bounds: Bounds | None, value: float, margin: float) -> bool:
    """Outside `bounds` narrowed by `margin` on both sides."""
    if bounds is None:
        return False
    return (bounds.low is not None and value < bounds.low + margin) or (
        bounds.high is not None and value > bounds.high - margin
    )


def level(thresholds: Thresholds, value: float, margin: float = 0.0) -> int:
    if _outside(thresholds.critical, value, margin):
        return _CRITICAL
    if _outside(thresholds.warning, value, margin):
        return _WARNING
    return _NORMAL


def describe(thresholds: Thresholds, value: float, severity: Severity) -> str:
    bounds = thresholds.critical if severity is Severity.CRITICAL else thresholds.warning
    assert bounds is not None  # a level is only reached through bounds that exist
    if bounds.low is not None and value < bounds.low:
        return f"{value:g} is below the {severity} bound {bounds.low:g}"
    if bounds.high is not None and value > bounds.high:
        return f"{value:g} is above the {severity} bound {bounds.high:g}"
    return (
        f"{value:g} is back inside the {severity} bounds, but not yet by the hysteresis "
        f"{thresholds.hysteresis:g}"
    )


@dataclass(slots=True)
class ThresholdState:
    level: int = _NORMAL
    issue_id: str | None = None


class ThresholdMonitor:
    """Tracks the threshold level of each point it is shown values of."""

    def __init__(self) -> None:
        self._states: dict[str, ThresholdState] = {}

    def adopt(self, twin_id: str, open_issue_id: str, severity: str) -> None:
        """Take over an issue left open by an earlier run (it clears like one found now)."""
        lvl = _CRITICAL if severity == Severity.CRITICAL else _WARNING
        self._states[twin_id] = ThresholdState(lvl, open_issue_id)

    def observe(
        self, twin_id: str, thresholds: Thresholds, value: float, at_ms: int, rule: str | None
    ) -> DriftEvent | None:
        state = self._states.get(twin_id)
        if state is None:
            state = self._states[twin_id] = ThresholdState()
        now = level(thresholds, value)
        if now < state.level:  # falling: only once inside by the hysteresis margin
            now = max(now, min(state.level, level(thresholds, value, thresholds.hysteresis)))
        if now == state.level:
            return None
        before, state.level = state.level, now
        evidence = {"value": value, "previous_level": before, "hysteresis": thresholds.hysteresis}
        if now == _NORMAL:
            issue, state.issue_id = state.issue_id, None
            assert issue is not None
            return DriftEvent(
                Transition.RESOLVED, DriftType.THRESHOLD, twin_id, issue, at_ms,
                description=f"back within bounds at {value:g}", value=value, rule=rule,
                evidence=evidence,
            )  # fmt: skip
        severity = _SEVERITY[now]
        transition = Transition.CHANGED
        if state.issue_id is None:
            state.issue_id = issue_id(DriftType.THRESHOLD, twin_id, at_ms)
            transition = Transition.OPENED
        return DriftEvent(
            transition, DriftType.THRESHOLD, twin_id, state.issue_id, at_ms, severity,
            describe(thresholds, value, severity), value, rule, evidence,
        )  # fmt: skip
