"""Point values from the history store, per point, as the forecast models read them.

One query for all the points of a run (the store reads each day's files once); each point's
values come back as two aligned numpy arrays, times (datetime64[ns], UTC) and values (float64),
oldest first. NaN stays NaN here: `series.prepare` counts and handles it.

>>> raw = read_series(HistoryStore(folder), ["urn:office:zone-1-temp"],
...                   start=now - timedelta(days=28), end=now)  # doctest: +SKIP
>>> raw["urn:office:zone-1-temp"].values.size  # doctest: +SKIP
2688
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from graphtwin.telemetry.history import HistoryStore


@dataclass(frozen=True, slots=True)
class RawSeries:
    """A point's recorded values, oldest first."""

    times: np.ndarray  # datetime64[ns], UTC
    values: np.ndarray  # float64

    def before(self, moment: datetime) -> RawSeries:
        """The values recorded before `moment` (exclusive)."""
        cut = int(np.searchsorted(self.times, _ns(moment), side="left"))
        return RawSeries(self.times[:cut], self.values[:cut])

    def since(self, moment: datetime) -> RawSeries:
        """The values recorded at or after `moment`."""
        cut = int(np.searchsorted(self.times, _ns(moment), side="left"))
        return RawSeries(self.times[cut:], self.values[cut:])


EMPTY = RawSeries(np.array([], dtype="datetime64[ns]"), np.array([], dtype=np.float64))


def read_series(
    history: HistoryStore, twin_ids: Sequence[str], *, start: datetime, end: datetime
) -> dict[str, RawSeries]:
    """Each point's values from `start` (inclusive) to `end` (exclusive); a point without any
    maps to an empty series."""
    found = {i: EMPTY for i in twin_ids}
    if not twin_ids:
        return found
    frame = history.query(list(twin_ids), start, end)
    if frame.empty:
        return found
    frame = frame.sort_values(["twin_id", "time"], kind="stable")
    ids = frame["twin_id"].to_numpy()
    times = frame["time"].to_numpy(dtype="datetime64[ns]")
    values = frame["value"].to_numpy(dtype=np.float64)
    bounds = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(ids)], strict=True):
        found[str(ids[lo])] = RawSeries(times[lo:hi], values[lo:hi])
    return found


def read_known_at(
    history: HistoryStore, twin_ids: Sequence[str], *, now: datetime, days: float
) -> dict[str, RawSeries]:
    """What was known at `now`: each point's values of the `days` before it, a value stamped
    exactly at `now` included (a forecast issued then has seen it)."""
    end = now + _RESOLUTION
    return read_series(history, twin_ids, start=now - timedelta(days=days), end=end)


_RESOLUTION = timedelta(microseconds=1)
"""The history's time resolution: the end just after `now` includes a value at `now`."""


def _ns(moment: datetime) -> np.datetime64:
    return np.datetime64(int(moment.timestamp() * 1_000_000), "us").astype("datetime64[ns]")
