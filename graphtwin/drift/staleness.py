"""Temporal drift: a point that has not reported within its staleness limit is stale.

The clock is the time a value was last received from its source (accepted or within the
deadband), not the value's own timestamp: a sensor whose clock is off is not stale, and one
that stopped sending is, even if its last value was recent by its own clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from graphtwin.drift.issues import DriftEvent, DriftType, Severity, Transition, issue_id


@dataclass(slots=True)
class _Watch:
    limit_s: float
    last_seen: float  # time.monotonic()
    rule: str | None
    issue_id: str | None = None


class StalenessMonitor:
    def __init__(self) -> None:
        self._watches: dict[str, _Watch] = {}

    def watch(self, twin_id: str, limit_s: float, rule: str | None) -> None:
        """Start the clock of a point now (a point that never reports goes stale too)."""
        self._watches[twin_id] = _Watch(limit_s, time.monotonic(), rule)

    def adopt(self, twin_id: str, open_issue_id: str) -> None:
        watch = self._watches.get(twin_id)
        if watch is not None:
            watch.issue_id = open_issue_id

    @property
    def watched(self) -> int:
        return len(self._watches)

    def stale_ids(self) -> list[str]:
        return [twin_id for twin_id, w in self._watches.items() if w.issue_id is not None]

    def seen(self, twin_id: str, at_ms: int) -> DriftEvent | None:
        """A value arrived: the clock restarts, and a stale point recovers."""
        watch = self._watches.get(twin_id)
        if watch is None:
            return None
        watch.last_seen = time.monotonic()
        if watch.issue_id is None:
            return None
        issue, watch.issue_id = watch.issue_id, None
        return DriftEvent(
            Transition.RESOLVED,
            DriftType.STALENESS,
            twin_id,
            issue,
            at_ms,
            description="reporting again",
            rule=watch.rule,
        )

    def mark_stale(
        self, twin_id: str, now_ms: int, reason: str, rule: str | None = None
    ) -> DriftEvent | None:
        """The source said the point's values stopped (a Sparkplug death): the point is stale
        now, with or without a staleness limit, and recovers with its next value. None if it
        is stale already."""
        watch = self._watches.get(twin_id)
        if watch is None:  # no limit: watched only until it reports again
            watch = self._watches[twin_id] = _Watch(math.inf, time.monotonic(), rule)
        if watch.issue_id is not None:
            return None
        return _opened(
            twin_id, watch, now_ms, f"source reports no values: {reason}", {"reason": reason}
        )

    def check(self, now_ms: int) -> list[DriftEvent]:
        """Points whose limit has run out since the last check."""
        now = time.monotonic()
        events = []
        for twin_id, watch in self._watches.items():
            silent = now - watch.last_seen
            if watch.issue_id is None and silent > watch.limit_s:
                description = f"no update for {silent:.0f} s (limit {watch.limit_s:g} s)"
                evidence = {"silent_s": round(silent, 3), "limit_s": watch.limit_s}
                events.append(_opened(twin_id, watch, now_ms, description, evidence))
        return events


def _opened(
    twin_id: str, watch: _Watch, now_ms: int, description: str, evidence: dict[str, object]
) -> DriftEvent:
    """A staleness issue opened now for the point `watch` watches."""
    watch.issue_id = issue_id(DriftType.STALENESS, twin_id, now_ms)
    return DriftEvent(
        Transition.OPENED,
        DriftType.STALENESS,
        twin_id,
        watch.issue_id,
        now_ms,
        Severity.WARNING,
        description,
        rule=watch.rule,
        evidence=evidence,
    )
