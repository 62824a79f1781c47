"""The outdoor temperature a what-if run assumes, one value per step.

Three sources, as the scenario's `outdoor` says:
- `history`: the building's recorded outdoor temperature. Where the history covers a step (a
  run that starts in the past) the recorded value is used; beyond its end, the value one day
  earlier (diurnal persistence, repeated for longer horizons) — the simplest forecast that keeps
  the day's shape, stated as such in the run's warnings.
- `epw`: an EnergyPlus weather file's dry-bulb temperature at the same month, day and hour (the
  file's standard time zone, read from its LOCATION line), linearly interpolated between hours;
  typical-year files have no year, so any year maps onto them.
- `constant`: one value.

>>> import numpy as np
>>> from datetime import UTC, datetime, timedelta
>>> t0 = datetime(2025, 7, 1, tzinfo=UTC)
>>> times = [t0 + timedelta(hours=h) for h in range(3)]
>>> past = [t0 - timedelta(hours=24 - h) for h in range(24)]
>>> from_history(times, past, np.arange(24.0)).tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from graphtwin.errors import InputError, SourceLocation
from graphtwin.virtual.models import weather_time_zone

_DAY_S = 86400.0
_WEEK_S = 7 * _DAY_S


class OutdoorDataError(InputError):
    """The outdoor conditions a scenario names cannot be read (no history, a bad weather file)."""


def constant(times: Sequence[datetime], value: float) -> np.ndarray:
    return np.full(len(times), float(value))


def from_history(
    times: Sequence[datetime], past_times: Sequence[datetime], past_values: np.ndarray
) -> np.ndarray:
    """The outdoor temperature from the history store (`days_ahead`)."""
    if len(past_times) == 0:
        raise OutdoorDataError(
            "outdoor: source history, but the history store has no outdoor temperature for "
            "this building; give `outdoor: {source: constant, value: ...}` or an EPW file",
            entity="outdoor",
        )
    return days_ahead(times, past_times, past_values)


def days_ahead(
    times: Sequence[datetime], past_times: Sequence[datetime], past_values: np.ndarray
) -> np.ndarray:
    """Recorded values where they cover `times`, else the value a whole number of days earlier
    (the latest day the history has), interpolated in time: diurnal persistence, used for the
    outdoor temperature and for setpoint schedules alike."""
    return days_ahead_s(
        np.array([_seconds(t) for t in times]),
        np.array([_seconds(t) for t in past_times]),
        np.asarray(past_values, dtype=float),
    )


def days_ahead_s(wanted: np.ndarray, known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`days_ahead` on epoch seconds (arrays), for callers that hold them already."""
    order = np.argsort(known)
    known, values = known[order], values[order]
    last = known[-1]
    # Step back whole days until each wanted time falls inside the recorded span.
    days_back = np.where(wanted > last, np.ceil((wanted - last) / _DAY_S), 0.0)
    return np.interp(wanted - days_back * _DAY_S, known, values)


def weeks_ahead_s(wanted: np.ndarray, known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Schedule persistence: the value a whole number of weeks earlier where the history
    reaches that far back (the same weekday: a Monday morning is not a Sunday one), else
    `days_ahead_s`. For setpoint schedules, which differ between weekdays and weekends."""
    order = np.argsort(known)
    known, values = known[order], values[order]
    out = days_ahead_s(wanted, known, values)
    weeks_back = np.where(wanted > known[-1], np.ceil((wanted - known[-1]) / _WEEK_S), 0.0)
    earlier = wanted - weeks_back * _WEEK_S
    covered = earlier >= known[0]
    out[covered] = np.interp(earlier[covered], known, values)
    return out


def from_epw(times: Sequence[datetime], path: Path) -> np.ndarray:
    """The weather file's dry-bulb temperature at each time (month, day, hour of its year)."""
    tz_h = weather_time_zone(path)
    hourly = _epw_dry_bulb(path)
    hours = []
    for moment in times:
        local = moment.astimezone(UTC) + timedelta(hours=tz_h)
        start_of_year = datetime(local.year, 1, 1, tzinfo=UTC)
        hour = (local.replace(tzinfo=UTC) - start_of_year).total_seconds() / 3600.0
        if local.month > 2 and _leap(local.year):
            hour -= 24.0  # typical years have no 29 February
        hours.append(hour % 8760.0)
    # EPW hour h (1-24) is the hour ending at h: its value stands at hour-of-year h.
    grid = np.arange(1, len(hourly) + 1, dtype=float)
    return np.interp(np.array(hours), grid, hourly, period=8760.0)


def _epw_dry_bulb(path: Path) -> np.ndarray:
    values: list[float] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if number <= 8:
                continue
            try:
                values.append(float(row[6]))
            except (IndexError, ValueError) as exc:
                raise OutdoorDataError(
                    f"not an EPW data row (dry-bulb temperature, column 7): {exc}",
                    location=SourceLocation(str(path), number),
                ) from exc
    if len(values) < 8760:
        raise OutdoorDataError(
            f"an EPW weather file holds 8760 hourly rows; this one has {len(values)}",
            location=SourceLocation(str(path)),
        )
    return np.array(values[:8760])


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _seconds(moment: datetime) -> float:
    return moment.timestamp()
