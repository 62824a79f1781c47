"""What a connector hands the ingest pipeline, and how a source's health is kept.

A connector knows protocols, not the twin: it reports each value it read under the source
address its binding names (`Binding.source_address`), and the pipeline maps that to a point,
validates it and writes it. Connectors never raise for a device's failure; they report it to
their `SourceHealth` and carry on (with bounded backoff).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class Reading:
    """One value as a source delivered it, before validation."""

    source_id: str
    address: str  # Binding.source_address
    value: object
    source_time: datetime | None = None  # the device's time; None: when it was received
    quality: str = "good"  # good | uncertain | bad, from the protocol's status
    received_at: float = field(default_factory=time.time)  # epoch seconds, for latency


# A connector delivers readings by calling the sink; it never blocks (the pipeline queues).
ReadingSink = Callable[[Reading], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SourceHealth:
    """A data source's last success and failure, and its reliability: the share of the last
    `window` attempts (polls, reads, (re)connects) that succeeded."""

    source_id: str
    window: int = 200
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_failure_reason: str | None = None
    connected: bool = False
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    _outcomes: deque[bool] = field(default_factory=deque, repr=False)

    def success(self) -> None:
        self.last_success = utc_now()
        self._record(True)

    def failure(self, reason: str) -> None:
        """`reason` is a short stable word (timeout, exception, disconnected, ...), counted."""
        self.last_failure = utc_now()
        self.last_failure_reason = reason
        self.failures_by_reason[reason] = self.failures_by_reason.get(reason, 0) + 1
        self._record(False)

    @property
    def reliability(self) -> float | None:
        if not self._outcomes:
            return None
        return sum(self._outcomes) / len(self._outcomes)

    @property
    def failures(self) -> int:
        return sum(self.failures_by_reason.values())

    def _record(self, ok: bool) -> None:
        self._outcomes.append(ok)
        if len(self._outcomes) > self.window:
            self._outcomes.popleft()
