"""Honest counts of the ingest pipeline: what was received, rejected (and why), left unchanged
by a deadband, backfilled into the history behind the current value, coalesced into a later
value of the same point, written, or dropped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Outcome:
    """What became of an accepted reading (a rejected one's outcome is its Rejection reason)."""

    CURRENT = "current"  # the point's newest value: it goes to the graph and the history
    BACKFILLED = "backfilled"  # older than the point's current value: history only
    UNCHANGED = "unchanged"  # within the deadband of the point's last value: not an update


class Rejection:
    """Why a reading was not accepted (the counter keys)."""

    UNKNOWN_POINT = "unknown_point"
    NOT_A_NUMBER = "not_a_number"  # NaN or infinite
    WRONG_TYPE = "wrong_type"
    FUTURE_TIMESTAMP = "future_timestamp"  # ahead of this machine's clock by more than the skew
    BUFFER_OVERFLOW = "buffer_overflow"  # the pending buffer was full (Neo4j away too long)

    ALL = frozenset({UNKNOWN_POINT, NOT_A_NUMBER, WRONG_TYPE, FUTURE_TIMESTAMP, BUFFER_OVERFLOW})


@dataclass
class IngestStats:
    received: int = 0
    accepted: int = 0
    unchanged: int = 0  # within the deadband of the point's last value: not an update
    backfilled: int = 0  # older than the point's current value: kept in the history only
    coalesced: int = 0  # superseded by a later value of the same point before it was written
    written: int = 0  # point values the graph took
    batches: int = 0
    write_failures: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    # change-to-graph latency (s) of each written value: from its receipt to the commit
    _latency: list[np.ndarray] = field(default_factory=list, repr=False)

    def add_latencies(self, seconds: np.ndarray) -> None:
        self._latency.append(seconds)
        if len(self._latency) > 2_000:  # keep the recent past, bounded
            self._latency = self._latency[-1_000:]

    def latency_quantiles(self, *qs: float) -> list[float | None]:
        if not self._latency:
            return [None for _ in qs]
        values = np.concatenate(self._latency)
        return [float(v) for v in np.quantile(values, qs)]

    def as_dict(self) -> dict[str, Any]:
        p50, p99 = self.latency_quantiles(0.5, 0.99)
        return {
            "received": self.received,
            "accepted": self.accepted,
            "unchanged": self.unchanged,
            "backfilled": self.backfilled,
            "coalesced": self.coalesced,
            "written": self.written,
            "batches": self.batches,
            "write_failures": self.write_failures,
            "rejected": dict(self.rejected),
            "latency_ms_p50": None if p50 is None else round(p50 * 1000, 2),
            "latency_ms_p99": None if p99 is None else round(p99 * 1000, 2),
        }
