"""Episodes: runs of flagged steps, what a detector reports.

>>> import numpy as np
>>> runs(np.array([0, 1, 1, 0, 1, 1, 1, 0], bool), min_steps=2, merge_gap=0)
[(1, 3), (4, 7)]
>>> runs(np.array([0, 1, 1, 0, 1, 1, 1, 0], bool), min_steps=2, merge_gap=1)
[(1, 7)]
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np


class Cause(StrEnum):
    SENSOR = "sensor"
    """The measurement is wrong; the building is not."""
    MODEL = "model"
    """The twin's structure or labels are wrong (a mislabel, a point on the wrong parent)."""
    BEHAVIOUR = "behaviour"
    """The building really behaves differently (a trip, a failed coil, a changed schedule)."""


@dataclass(frozen=True, slots=True)
class Episode:
    point: str
    rule: str
    cause: Cause
    start: int
    """First flagged step (frame index)."""
    end: int
    """One past the last flagged step."""
    opened: int
    """The step at which the detector had seen enough to report it."""
    compared: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    strength: float = 1.0
    """How far past its detector's threshold (1: just at it); the benchmark calibrates the
    thresholds on it."""

    def with_cause(self, cause: Cause, why: str) -> Episode:
        return replace(self, cause=cause, evidence={**self.evidence, "cause_because": why})

    def overlaps(self, other: Episode, slack: int = 0) -> bool:
        return self.start <= other.end + slack and other.start <= self.end + slack


def runs(mask: np.ndarray, *, min_steps: int, merge_gap: int = 0) -> list[tuple[int, int]]:
    """(start, end) of the runs of True at least `min_steps` long, runs closer than
    `merge_gap` steps merged first."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    merged: list[list[int]] = []
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        if merged and lo - merged[-1][1] <= merge_gap:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged if hi - lo >= min_steps]


def robust_scale(values: np.ndarray, floor: float) -> float:
    """1.4826 x the median absolute deviation of the finite values, at least `floor`."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return floor
    mad = float(np.median(np.abs(finite - np.median(finite))))
    return max(1.4826 * mad, floor)
