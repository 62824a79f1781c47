"""A zone's history on a regular grid: the arrays the thermal model fits and starts from.

`zone_series(frame, points, start, end, step_s)` takes rows as `HistoryStore.query` returns
them (twin_id, time, value, ...) and puts each point on the grid of steps ending at
`start + step, start + 2 step, ..., end`, the convention of the history (a sample stamped t
is the state at t, a rate the mean over the step ending at t):

- temperatures and setpoints: the value at the grid time, linearly interpolated between
  samples no more than `max_gap_s` apart, NaN across a longer gap or outside the samples;
- flows, powers and fan status: the mean of the samples within the step (a coarser grid
  averages the finer history), and the previous sample held for a finer grid, over at most
  `max_gap_s`; NaN where none is near;
- `q_hvac` (W, heat delivered to the zone air) = sum over supplies of
  m * cp * (T_supply - T_zone) + reheat, NaN where any of its terms is missing (a zone
  without supplies: 0);
- `fan_on`: 1 where any upstream fan runs, 0 where all are off, NaN where unknown; a zone
  without fans: 1 where it has supplies with flow, else 0 (an unconditioned zone).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from graphtwin.simulation.thermal.points import ZonePoints

CP_AIR = 1005.0
"""J/(kg K) of dry air."""
DEFAULT_MAX_GAP_S = 3600.0

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ZoneSeries:
    """A zone's history on a regular grid; index k is the step ending at `times[k]`."""

    zone: str
    times: NDArray[np.datetime64]
    """datetime64[s], UTC, ends of the steps."""
    step_s: float
    t_zone: FloatArray
    t_out: FloatArray
    q_hvac: FloatArray
    """W, heat delivered to the zone air (negative: cooling)."""
    heating_sp: FloatArray
    cooling_sp: FloatArray
    fan_on: FloatArray
    """1.0 / 0.0 / NaN (unknown)."""

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def start(self) -> datetime:
        """The beginning of the first step."""
        first = self.times[0] - np.timedelta64(int(self.step_s), "s")
        return _to_datetime(first)

    @property
    def end(self) -> datetime:
        """The end of the last step (the time of the last values)."""
        return _to_datetime(self.times[-1])

    def window(self, start: datetime | None = None, end: datetime | None = None) -> ZoneSeries:
        """The steps ending after `start` and no later than `end`."""
        keep = np.ones(len(self), bool)
        if start is not None:
            keep &= self.times > np.datetime64(_naive_utc(start), "s")
        if end is not None:
            keep &= self.times <= np.datetime64(_naive_utc(end), "s")
        return replace(
            self,
            times=self.times[keep],
            t_zone=self.t_zone[keep],
            t_out=self.t_out[keep],
            q_hvac=self.q_hvac[keep],
            heating_sp=self.heating_sp[keep],
            cooling_sp=self.cooling_sp[keep],
            fan_on=self.fan_on[keep],
        )


def grid(start: datetime, end: datetime, step_s: float) -> NDArray[np.datetime64]:
    """Ends of the steps from `start` to `end` (datetime64[s])."""
    first = np.datetime64(_naive_utc(start), "s")
    n = int(np.floor((_naive_utc(end) - _naive_utc(start)).total_seconds() / step_s + 1e-9))
    return first + (np.arange(1, n + 1) * step_s).astype("timedelta64[s]")


def zone_series(
    frame: pd.DataFrame,
    points: ZonePoints,
    start: datetime,
    end: datetime,
    step_s: float,
    *,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> ZoneSeries:
    """The zone's series on the grid of steps ending in (start, end] (see the module doc)."""
    times = grid(start, end, step_s)
    by_id = _split(frame)

    def state(point: str | None) -> FloatArray:
        return _interpolated(by_id.get(point) if point else None, times, max_gap_s)

    def rate(point: str | None) -> FloatArray:
        return _step_means(by_id.get(point) if point else None, times, step_s, max_gap_s)

    t_zone = state(points.air_temperature)
    q = np.zeros(times.shape[0])
    for supply in points.supplies:
        flow = rate(supply.flow)
        # a supply with no flow delivers nothing, whatever its (perhaps unknown) temperature
        air = np.where(
            flow == 0.0, 0.0, flow * CP_AIR * (state(supply.supply_temperature) - t_zone)
        )
        q = q + air + sum((rate(r) for r in supply.reheat), np.zeros(times.shape[0]))
    if points.fan_status:
        fans = np.vstack([rate(f) for f in points.fan_status])
        known = ~np.isnan(fans).all(axis=0)
        fan_on = np.where(known, (np.nan_to_num(fans, nan=0.0) > 0.5).any(axis=0), np.nan)
    elif points.supplies:
        flows = np.vstack([rate(s.flow) for s in points.supplies])
        fan_on = np.where(
            np.isnan(flows).all(axis=0), np.nan, (np.nan_to_num(flows) > 0).any(axis=0)
        )
    else:
        fan_on = np.zeros(times.shape[0])
    return ZoneSeries(
        zone=points.zone,
        times=times,
        step_s=float(step_s),
        t_zone=t_zone,
        t_out=state(points.outdoor_temperature),
        q_hvac=q,
        heating_sp=state(points.heating_setpoint),
        cooling_sp=state(points.cooling_setpoint),
        fan_on=fan_on.astype(float),
    )


def _split(frame: pd.DataFrame) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Point id -> (times in epoch seconds, values), sorted, NaN values dropped."""
    if frame.empty:
        return {}
    stamps = pd.to_datetime(frame["time"], utc=True).dt.tz_convert(None).to_numpy()
    seconds = stamps.astype("datetime64[s]").astype(np.int64)
    values = frame["value"].to_numpy(float)
    ids = frame["twin_id"].to_numpy()
    out: dict[str, tuple[FloatArray, FloatArray]] = {}
    order = np.lexsort((seconds, ids))
    ids, seconds, values = ids[order], seconds[order].astype(float), values[order]
    bounds = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, ids.shape[0]], strict=True):
        ok = ~np.isnan(values[lo:hi])
        out[str(ids[lo])] = (seconds[lo:hi][ok], values[lo:hi][ok])
    return out


def _epoch(times: NDArray[np.datetime64]) -> FloatArray:
    return times.astype("datetime64[s]").astype(np.int64).astype(float)


def _interpolated(
    samples: tuple[FloatArray, FloatArray] | None, times: NDArray[np.datetime64], max_gap_s: float
) -> FloatArray:
    """Linear interpolation at the grid times, NaN across gaps over `max_gap_s`."""
    t = _epoch(times)
    if samples is None or samples[0].shape[0] == 0:
        return np.full(t.shape[0], np.nan)
    st, sv = samples
    values = np.interp(t, st, sv)
    after = np.searchsorted(st, t, side="left")
    before = np.clip(after - 1, 0, st.shape[0] - 1)
    after_c = np.clip(after, 0, st.shape[0] - 1)
    exact = st[after_c] == t
    gap = st[after_c] - st[before]
    bad = (t < st[0]) | (t > st[-1]) | ((gap > max_gap_s) & ~exact)
    return np.where(bad, np.nan, values)


def _step_means(
    samples: tuple[FloatArray, FloatArray] | None,
    times: NDArray[np.datetime64],
    step_s: float,
    max_gap_s: float,
) -> FloatArray:
    """Mean of the samples in each step (t - step, t]; a step without samples takes the
    latest earlier sample if it is within `max_gap_s`, else NaN."""
    t = _epoch(times)
    if samples is None or samples[0].shape[0] == 0:
        return np.full(t.shape[0], np.nan)
    st, sv = samples
    cumulative = np.r_[0.0, np.cumsum(sv)]
    hi = np.searchsorted(st, t, side="right")
    lo = np.searchsorted(st, t - step_s, side="right")
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (cumulative[hi] - cumulative[lo]) / count
    last = np.clip(hi - 1, 0, st.shape[0] - 1)
    held = np.where((hi > 0) & (t - st[last] <= max_gap_s), sv[last], np.nan)
    return np.where(count > 0, means, held)


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _to_datetime(value: np.datetime64) -> datetime:
    seconds = int(value.astype("datetime64[s]").astype(np.int64))
    return datetime.fromtimestamp(seconds, tz=UTC)


def fill_gaps(values: FloatArray, default: float = 0.0) -> FloatArray:
    """NaN replaced by linear interpolation between known values (held at the ends); all NaN:
    `default`. For model inputs only: the fit never scores a step whose data was filled."""
    known = ~np.isnan(values)
    if known.all():
        return values
    if not known.any():
        return np.full(values.shape[0], default)
    index = np.arange(values.shape[0])
    return np.interp(index, index[known], values[known])
