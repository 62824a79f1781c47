"""Simulated time: EnergyPlus's clock as UTC moments, and the pace a run keeps to the wall clock.

EnergyPlus counts local standard time (daylight saving only shifts schedules): a zone timestep
ends at `hour` (0-23) plus `minutes` (1-60) of its day. `sim_moment` turns that into an aware
UTC datetime with the site's time zone.

`Pace(speed)` keeps a run at `speed` simulated seconds per wall second (600: ten minutes a
second) by sleeping between timesteps, and maps each simulated moment to the wall-clock moment
it is served at: `first wall moment + (sim - first sim moment) / speed`. `Pace(None)` runs as
fast as possible; its served time is the simulated moment itself.

>>> sim_moment(2025, 7, 1, 23, 60, time_zone_h=-7.0).isoformat()
'2025-07-02T07:00:00+00:00'
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone


def sim_moment(
    year: int, month: int, day: int, hour: int, minutes: int, *, time_zone_h: float
) -> datetime:
    """The end of the timestep EnergyPlus is at, as an aware UTC datetime."""
    zone = timezone(timedelta(hours=time_zone_h))
    local = datetime(year, month, day, tzinfo=zone) + timedelta(hours=hour, minutes=minutes)
    return local.astimezone(UTC)


class Pace:
    """How fast simulated time passes on the wall clock (see the module doc).

    >>> pace = Pace(None)
    >>> moment = datetime(2025, 7, 1, tzinfo=UTC)
    >>> pace.served_at(moment) == moment
    True
    """

    def __init__(self, speed: float | None) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.speed = speed
        self._anchor: tuple[datetime, float, float] | None = None  # sim, wall epoch, monotonic

    def _anchored(self, sim: datetime) -> tuple[datetime, float, float]:
        if self._anchor is None:
            self._anchor = (sim, time.time(), time.monotonic())
        return self._anchor

    def served_at(self, sim: datetime) -> datetime:
        """The moment a value of simulated moment `sim` is served at: its wall-clock moment
        at this speed, or `sim` itself when running as fast as possible."""
        if self.speed is None:
            return sim
        first_sim, first_wall, _ = self._anchored(sim)
        offset = (sim - first_sim).total_seconds() / self.speed
        return datetime.fromtimestamp(first_wall + offset, UTC)

    def wait(self, sim: datetime, stop: threading.Event) -> None:
        """Sleep until simulated moment `sim` is due on the wall clock (the first call anchors
        the mapping and returns at once); returns early when `stop` is set."""
        if self.speed is None:
            return
        first_sim, _, first_mono = self._anchored(sim)
        due = first_mono + (sim - first_sim).total_seconds() / self.speed
        delay = due - time.monotonic()
        if delay > 0:
            stop.wait(delay)
