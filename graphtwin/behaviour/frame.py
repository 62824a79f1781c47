"""Points' values on one regular grid, split into a history window and an evaluation window.

>>> import numpy as np
>>> from datetime import UTC, datetime, timedelta
>>> f = Frame(datetime(2025, 7, 1, tzinfo=UTC), timedelta(minutes=15), ["a"],
...           np.zeros((192, 1)), history=96)
>>> f.column("a").shape, f.slot[:2].tolist(), f.steps_per_day
((192,), [0, 1], 96)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from graphtwin.errors import InputError
from graphtwin.prediction.series import PreparedSeries


@dataclass(slots=True)
class Frame:
    """`values[t, j]` is point `ids[j]` at `start + t * step` (UTC); the first `history` steps
    are the history window (what is normal is learned there), the rest is evaluated."""

    start: datetime
    step: timedelta
    ids: list[str]
    values: np.ndarray
    history: int
    utc_offset: timedelta = timedelta(0)
    """Local time minus UTC: the time of day and the day type are read in local time."""
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.values.shape != (self.values.shape[0], len(self.ids)):
            raise InputError(f"values of shape {self.values.shape} for {len(self.ids)} points")
        if not 0 < self.history <= self.values.shape[0]:
            raise InputError(f"history of {self.history} steps in {self.values.shape[0]}")
        self._index = {t: i for i, t in enumerate(self.ids)}

    @classmethod
    def from_series(
        cls,
        series: Mapping[str, PreparedSeries],
        *,
        history_end: datetime,
        utc_offset: timedelta = timedelta(0),
    ) -> Frame:
        """Align prepared series (one step) on one grid; history is everything before
        `history_end`."""
        if not series:
            raise InputError("no series to detect on")
        steps = {s.step for s in series.values()}
        if len(steps) != 1:
            raise InputError(f"series on different steps: {sorted(steps)}")
        step = steps.pop()
        start = min(s.start for s in series.values())
        end = max(s.end for s in series.values())
        size = int((end - start) / step) + 1
        ids = sorted(series)
        values = np.full((size, len(ids)), np.nan)
        for j, twin_id in enumerate(ids):
            s = series[twin_id]
            lo = int((s.start - start) / step)
            values[lo : lo + len(s), j] = s.values
        history = int(np.ceil((history_end - start) / step))
        return cls(start, step, ids, values, min(max(history, 1), size), utc_offset)

    def __contains__(self, twin_id: object) -> bool:
        return twin_id in self._index

    def column(self, twin_id: str) -> np.ndarray:
        return self.values[:, self._index[twin_id]]

    @property
    def steps(self) -> int:
        return int(self.values.shape[0])

    @property
    def steps_per_day(self) -> int:
        return round(timedelta(days=1) / self.step)

    @property
    def local_times(self) -> np.ndarray:
        first = np.datetime64((self.start + self.utc_offset).replace(tzinfo=None), "s")
        return first + np.arange(self.steps) * np.timedelta64(int(self.step.total_seconds()), "s")

    @property
    def slot(self) -> np.ndarray:
        """The step of the (local) day each grid time falls in (0 to steps_per_day - 1)."""
        seconds = (self.local_times - self.local_times.astype("datetime64[D]")).astype(int)
        return (seconds // int(self.step.total_seconds())).astype(int)

    @property
    def weekend(self) -> np.ndarray:
        """Saturdays and Sundays (local; a grid time at midnight belongs to the day it ends)."""
        days = (self.local_times - np.timedelta64(1, "s")).astype("datetime64[D]").astype(int)
        return ((days + 3) % 7) >= 5  # 1970-01-01 was a Thursday

    def time_at(self, index: int) -> datetime:
        return self.start + self.step * index
