"""Internal and solar gains of a zone as a time-of-day profile: one value (W) per local hour,
separately for weekdays and weekends (48 values).

A building management system sees neither people, lights, plug loads nor the sun in a zone,
so the gains cannot be read: they are fitted. An hourly weekday/weekend profile is the
smallest shape that follows an office's schedules (occupancy, lighting and plug loads switch
by the hour and differ on weekends) and the sun's daily course on a facade, and it enters the
model linearly, so the calibration solves for it exactly for given R and C. What it cannot
follow (a cloudy day against a clear one) is left to the uncertainty band.

>>> from datetime import datetime, UTC
>>> profile = GainProfile.flat(500.0)
>>> times = np.array([datetime(2025, 7, 1, 12, tzinfo=UTC)], dtype="datetime64[s]")
>>> float(profile.values(times, step_s=900.0)[0])
500.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

HOURS = 24
SLOTS = 2 * HOURS
"""Weekday hours 0-23, then weekend hours 0-23."""


@dataclass(frozen=True, slots=True)
class GainProfile:
    """Gains (W) by slot: weekday hours 0-23 then weekend hours 0-23, local time."""

    watts: tuple[float, ...]
    utc_offset_h: float = 0.0
    """Local time minus UTC, hours (Chicago standard time: -6)."""

    @classmethod
    def flat(cls, watts: float, utc_offset_h: float = 0.0) -> GainProfile:
        return cls(tuple([float(watts)] * SLOTS), utc_offset_h)

    def values(self, end_times: NDArray[np.datetime64], *, step_s: float) -> NDArray[np.float64]:
        """The gains of each step, the steps ending at `end_times`."""
        return np.asarray(self.watts, float)[slots(end_times, step_s, self.utc_offset_h)]

    def scaled(self, factor: float) -> GainProfile:
        return GainProfile(tuple(w * factor for w in self.watts), self.utc_offset_h)


def slots(end_times: NDArray[np.datetime64], step_s: float, utc_offset_h: float) -> NDArray:
    """The profile slot of each step, by the local time of the step's middle."""
    mid = np.asarray(end_times, "datetime64[s]").astype(np.int64) - step_s / 2.0
    local_s = mid + utc_offset_h * 3600.0
    days = np.floor(local_s / 86400.0).astype(np.int64)
    hour = ((local_s - days * 86400.0) // 3600.0).astype(np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
    return np.where(weekday >= 5, HOURS, 0) + hour


def basis(end_times: NDArray[np.datetime64], step_s: float, utc_offset_h: float) -> NDArray:
    """n x 48 indicator matrix: step k falls in slot j."""
    s = slots(end_times, step_s, utc_offset_h)
    out = np.zeros((s.shape[0], SLOTS))
    out[np.arange(s.shape[0]), s] = 1.0
    return out
