"""A point's history on a regular grid, with every NaN and gap counted, never hidden.

`prepare` puts samples on the grid of `step` (aligned to the Unix epoch, so 15-minute steps
fall on :00, :15, :30, :45): each grid time holds the mean of the finite samples in the step
that ends there, `(t - step, t]`. Non-finite samples (NaN, inf) are dropped and counted
(`nan_count`). Grid times with no finite sample are gaps: runs of up to `max_fill` steps are
filled by linear interpolation between their neighbours (`filled_steps`), longer runs stay NaN
(`gap_count` runs, `gap_steps` steps in all) and the models skip them.

>>> import numpy as np
>>> from datetime import timedelta
>>> times = np.array(["2025-07-01T00:15", "2025-07-01T00:30", "2025-07-01T01:15"],
...                  dtype="datetime64[ns]")
>>> series = prepare(times, [20.0, float("nan"), 21.0], step=timedelta(minutes=15))
>>> series.values.round(2).tolist(), series.nan_count, series.gap_count, series.filled_steps
([20.0, 20.25, 20.5, 20.75, 21.0], 1, 0, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from graphtwin.errors import InputError

DEFAULT_MAX_FILL = 4
"""Gaps of up to this many steps (an hour at 15 minutes) are interpolated; longer stay NaN."""


@dataclass(frozen=True, slots=True)
class PreparedSeries:
    """Values on a regular grid: `values[i]` is the value at `start + i * step` (UTC)."""

    start: datetime
    step: timedelta
    values: np.ndarray
    samples: int = 0
    """Finite samples that went onto the grid."""
    nan_count: int = 0
    """Samples dropped because they were NaN or infinite."""
    gap_count: int = 0
    """Runs of grid steps with no finite sample longer than `max_fill` (left NaN)."""
    gap_steps: int = 0
    """Grid steps left NaN (in those runs)."""
    filled_steps: int = 0
    """Grid steps filled by interpolation (gaps of at most `max_fill` steps)."""

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def end(self) -> datetime:
        """The last grid time (the start when the series is empty)."""
        return self.start + self.step * max(len(self) - 1, 0)

    @property
    def times(self) -> np.ndarray:
        """Grid times as `datetime64[ns]` (UTC)."""
        first = np.datetime64(_naive_utc(self.start), "ns")
        return first + np.arange(len(self)) * np.timedelta64(_step_ns(self.step), "ns")

    @property
    def finite(self) -> int:
        """Grid steps holding a value."""
        return int(np.isfinite(self.values).sum())

    def until(self, moment: datetime) -> PreparedSeries:
        """The part at or before `moment` (counts are those of the whole series)."""
        keep = int(np.floor((_as_utc(moment) - self.start) / self.step)) + 1
        keep = min(max(keep, 0), len(self))
        return _replace_values(self, self.start, self.values[:keep])

    def between(self, first: datetime, last: datetime) -> PreparedSeries:
        """The part from `first` to `last`, both included."""
        lo = max(int(np.ceil((_as_utc(first) - self.start) / self.step)), 0)
        hi = min(int(np.floor((_as_utc(last) - self.start) / self.step)) + 1, len(self))
        lo = min(lo, max(hi, 0))
        return _replace_values(self, self.start + self.step * lo, self.values[lo:hi])


def prepare(
    times: Sequence[datetime] | np.ndarray | pd.Index,
    values: Sequence[float] | np.ndarray,
    *,
    step: timedelta,
    max_fill: int = DEFAULT_MAX_FILL,
) -> PreparedSeries:
    """Put samples (any order; naive times are UTC) on the grid of `step` (see the module)."""
    if step <= timedelta(0):
        raise InputError(f"the step must be positive, not {step}")
    if max_fill < 0:
        raise InputError(f"max_fill must not be negative, not {max_fill}")
    raw = np.asarray(values, dtype=np.float64).ravel()
    stamps = _unix_ns(times)
    if stamps.size != raw.size:
        raise InputError(f"{stamps.size} times but {raw.size} values: give one time per value")
    finite = np.isfinite(raw)
    nan_count = int((~finite).sum())
    stamps, raw = stamps[finite], raw[finite]
    step_ns = _step_ns(step)
    if raw.size == 0:
        return PreparedSeries(datetime.fromtimestamp(0, UTC), step, np.empty(0), 0, nan_count)
    slot = -(-stamps // step_ns)  # ceil: a sample belongs to the step that ends at or after it
    first = int(slot.min())
    index = slot - first
    size = int(index.max()) + 1
    total = np.bincount(index, weights=raw, minlength=size)
    count = np.bincount(index, minlength=size)
    grid = np.full(size, np.nan)
    grid[count > 0] = total[count > 0] / count[count > 0]
    grid, gap_count, gap_steps, filled = _fill_short_gaps(grid, max_fill)
    start = datetime.fromtimestamp(first * step_ns / 1e9, UTC)
    return PreparedSeries(start, step, grid, int(raw.size), nan_count, gap_count, gap_steps, filled)


def _unix_ns(times: Sequence[datetime] | np.ndarray | pd.Index) -> np.ndarray:
    """Times as Unix nanoseconds (naive ones taken as UTC)."""
    if isinstance(times, np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
        return times.astype("datetime64[ns]").astype(np.int64)
    return np.asarray(pd.to_datetime(pd.Index(times), utc=True).as_unit("ns").asi8)


def _fill_short_gaps(grid: np.ndarray, max_fill: int) -> tuple[np.ndarray, int, int, int]:
    """Interpolate runs of NaN of at most `max_fill` steps; count the runs left."""
    missing = np.isnan(grid)
    if not missing.any():
        return grid, 0, 0, 0
    edges = np.diff(np.concatenate(([0], missing.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    short = lengths <= max_fill
    out = grid.copy()
    known = np.flatnonzero(~missing)
    filled = 0
    for lo, hi in zip(starts[short], ends[short], strict=True):
        # a run inside the grid always has known neighbours (the grid starts and ends on samples)
        out[lo:hi] = np.interp(np.arange(lo, hi), known, grid[known])
        filled += int(hi - lo)
    long_runs = ~short
    return out, int(long_runs.sum()), int(lengths[long_runs].sum()), filled


def _replace_values(series: PreparedSeries, start: datetime, values: np.ndarray) -> PreparedSeries:
    return PreparedSeries(
        start, series.step, values, series.samples, series.nan_count, series.gap_count,
        series.gap_steps, series.filled_steps,
    )  # fmt: skip


def _step_ns(step: timedelta) -> int:
    return round(step.total_seconds() * 1e9)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _naive_utc(moment: datetime) -> datetime:
    return _as_utc(moment).replace(tzinfo=None)
