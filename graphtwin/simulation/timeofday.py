"""Values that follow the local clock: a default, and periods of the day with values of their own.

Tariffs (price per kWh), carbon intensity (kg CO2 per kWh) and setpoint schedules are all
written this way in a scenario. A period covers `from` (inclusive) to `to` (exclusive) on the
local clock, on the weekdays it names (every day when it names none). A period may wrap midnight
(`22:00` to `06:00`); its hours after midnight belong to the day it started on, so a Friday
night period covers Saturday 02:00. `to: "24:00"` ends a period at midnight. Where periods
overlap, the first one listed wins.

>>> from datetime import UTC, datetime, timedelta
>>> night = ClockWindow(start_minute=22 * 60, end_minute=6 * 60)
>>> times = [datetime(2025, 7, 1, h, tzinfo=UTC) for h in (5, 6, 23)]
>>> clock_values(0.3, [(night, 0.1)], times, UTC).tolist()
[0.1, 0.3, 0.1]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np

DAY_MINUTES = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as scenarios write them, in `datetime.weekday()` order."""


@dataclass(frozen=True, slots=True)
class ClockWindow:
    """Minutes of the local day `[start_minute, end_minute)`, wrapping midnight when
    `end_minute <= start_minute`, on `weekdays` (0 = Monday; None: every day)."""

    start_minute: int
    end_minute: int
    weekdays: frozenset[int] | None = None

    @property
    def wraps(self) -> bool:
        return self.end_minute <= self.start_minute


def clock_values(
    default: float,
    periods: Sequence[tuple[ClockWindow, float]],
    times: Sequence[datetime],
    tz: tzinfo,
) -> np.ndarray:
    """The value at each of `times` (aware), read on the local clock of `tz`: the value of the
    first period that covers it, else `default`."""
    minutes, weekdays = local_clock(times, tz)
    values = np.full(len(times), float(default))
    settled = np.zeros(len(times), dtype=bool)
    for window, value in periods:
        covered = covers(window, minutes, weekdays) & ~settled
        values[covered] = value
        settled |= covered
    return values


def local_clock(times: Sequence[datetime], tz: tzinfo) -> tuple[np.ndarray, np.ndarray]:
    """Minute of the day (with its fraction) and weekday (0 = Monday) of each time in `tz`."""
    if any(t.tzinfo is None for t in times):
        raise ValueError("times must be aware datetimes (with a UTC offset)")
    local = [t.astimezone(tz) for t in times]
    minutes = np.array(
        [t.hour * 60 + t.minute + (t.second + t.microsecond / 1e6) / 60 for t in local],
        dtype=float,
    )
    weekdays = np.array([t.weekday() for t in local], dtype=int)
    return minutes, weekdays


def covers(window: ClockWindow, minutes: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Which (minute, weekday) pairs `window` covers."""
    start, end = window.start_minute, window.end_minute
    if not window.wraps:
        return (minutes >= start) & (minutes < end) & _on(window.weekdays, weekdays)
    evening = (minutes >= start) & _on(window.weekdays, weekdays)
    morning = (minutes < end) & _on(window.weekdays, (weekdays - 1) % 7)
    return evening | morning


def _on(days: Collection[int] | None, weekdays: np.ndarray) -> np.ndarray:
    if days is None:
        return np.ones(len(weekdays), dtype=bool)
    return np.isin(weekdays, list(days))
