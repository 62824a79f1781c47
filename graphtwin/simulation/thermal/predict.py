"""The prediction entry point the runner and the benchmark share.

```python
state = initial_state(model, recent)            # once per zone (warm-up on recent history)
future = FutureInputs.create(start=recent.end, step_s=300.0, t_out=t_out_48,
                             hvac_available=avail_48, heating_sp=21.0, cooling_sp=24.0)
p = predict(model, recent, future, initial=state)   # p.t_air, p.lower, p.upper, p.q_hvac
```

- The mass temperature is not observed. `initial_state` estimates it by a warm-up over the
  recent history (`WARMUP_S`, 2 days): the model runs on the observed outdoor temperature and
  HVAC heat from the mass temperature that best fits the observed air temperature over those
  days (one linear least-squares unknown); the mass state at the end is the estimate. The air
  state is the last observed air temperature.
- Where HVAC is available the zone is controlled between the setpoints up to the model's
  capacity times `capacity_factor` (an action that raises the airflow scales it); where it is
  not (a trip), q = 0 and the zone free-floats. Gains are the fitted profile times
  `gains_factor` (an occupancy change), plus today's offset (`assimilate.py`: estimated over
  the warm-up's last hour, decaying over the horizon). Inside the dead band a running HVAC
  delivers the model's `deadband_q_w` (VAV minimum airflow). Where the HVAC is unavailable
  the release response (`release.py`) adds the rise per watt of the load the HVAC removed over
  the last hour (`InitialState.removed_w`).
- Arrays follow the history's convention: index k is the step ending at
  `start + (k+1) * step`; `t_air[k]` is the temperature then, `q_hvac[k]` the mean heat (W) over
  the step. The band comes from `band.py`, by lead time and regime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray

from graphtwin.errors import GraphTwinError
from graphtwin.simulation.thermal.assimilate import (
    ASSIMILATION_S,
    OFFSET_LIMIT,
    gains_offset,
    offset_over,
)
from graphtwin.simulation.thermal.rc import (
    Discrete,
    discretise,
    initial_responses,
    input_response,
    simulate,
    simulate_controlled,
)
from graphtwin.simulation.thermal.release import removed_load
from graphtwin.simulation.thermal.series import ZoneSeries, fill_gaps, grid
from graphtwin.simulation.thermal.zone_model import ZoneModel

WARMUP_S = 2 * 86400.0

FloatArray = NDArray[np.float64]


class NoRecentTemperatureError(GraphTwinError, ValueError):
    """A zone's recent history has no air temperature on any step to start a prediction from."""


@dataclass(frozen=True, slots=True)
class InitialState:
    """The zone's state at `at`: air (observed) and mass (estimated)."""

    t_air: float
    t_mass: float
    at: datetime
    gains_offset_w: float = 0.0
    removed_w: float = 0.0
    """Heat the HVAC removed over the last hour (W, cooling > 0): released by a trip."""
    """Today's load beyond the profile, from the last hour (`assimilate.py`); decays over the
    horizon."""


@dataclass(frozen=True, slots=True)
class FutureInputs:
    """What the horizon brings, per step (index k: the step ending at start + (k+1) step)."""

    start: datetime
    step_s: float
    t_out: FloatArray
    hvac_available: NDArray[np.bool_]
    """False where the zone's HVAC is off (tripped, out of service): q = 0."""
    heating_sp: FloatArray
    """NaN: no heating limit."""
    cooling_sp: FloatArray
    """NaN: no cooling limit."""
    capacity_factor: FloatArray
    """Scales the HVAC capacity (an action that raises the airflow: > 1)."""
    gains_factor: FloatArray
    """Scales the gains profile (occupancy or internal-gains changes)."""

    @classmethod
    def create(
        cls,
        *,
        start: datetime,
        step_s: float,
        t_out: ArrayLike,
        hvac_available: ArrayLike = True,
        heating_sp: ArrayLike = np.nan,
        cooling_sp: ArrayLike = np.nan,
        capacity_factor: ArrayLike = 1.0,
        gains_factor: ArrayLike = 1.0,
    ) -> FutureInputs:
        """Scalars are held over the horizon, whose length is that of `t_out`."""
        t = np.asarray(t_out, float)
        n = t.shape[0]

        def each(value: ArrayLike, dtype: type) -> NDArray:
            out = np.broadcast_to(np.asarray(value, dtype), (n,)).copy()
            return out

        return cls(
            start=start,
            step_s=float(step_s),
            t_out=t,
            hvac_available=each(hvac_available, bool),
            heating_sp=each(heating_sp, float),
            cooling_sp=each(cooling_sp, float),
            capacity_factor=each(capacity_factor, float),
            gains_factor=each(gains_factor, float),
        )

    def __len__(self) -> int:
        return int(self.t_out.shape[0])


@dataclass(frozen=True, slots=True)
class Prediction:
    zone: str
    model_id: str
    calibrated: bool
    times: NDArray[np.datetime64]
    """datetime64[s], UTC, ends of the steps."""
    t_air: FloatArray
    lower: FloatArray
    upper: FloatArray
    q_hvac: FloatArray
    """W, mean over each step (negative: cooling)."""
    band_level: float


def initial_state(
    model: ZoneModel, recent: ZoneSeries, *, warmup_s: float = WARMUP_S
) -> InitialState:
    """The state at the end of `recent` (see the module doc)."""
    window = recent.window(start=recent.end - _seconds(warmup_s))
    last = _last_known(recent.t_zone)
    if len(window) == 0 or np.isnan(window.t_zone).all():
        if np.isnan(last):
            raise NoRecentTemperatureError(
                f"{recent.zone}: no air temperature in the recent history to start from"
            )
        return InitialState(t_air=last, t_mass=last, at=recent.end)
    d = discretise(model.parameters, window.step_s)
    gains = model.gains.values(window.times, step_s=window.step_s)
    t_out = fill_gaps(window.t_out, default=float(np.nanmean(window.t_zone)))
    q = fill_gaps(window.q_hvac)
    t_zone = window.t_zone
    first = int(np.flatnonzero(~np.isnan(t_zone))[0])
    t0 = float(t_zone[first])
    if first + 1 >= len(window):
        return InitialState(t_air=t0, t_mass=t0, at=recent.end)
    # from the first known air temperature on: its state there is (t0, unknown mass)
    first += 1
    forced = (
        input_response(d, 0, t_out[first:])
        + input_response(d, 1, q[first:])
        + input_response(d, 2, gains[first:])
    )
    homogeneous = initial_responses(d, forced.shape[0])
    known = ~np.isnan(t_zone[first:])
    residual = t_zone[first:][known] - forced[known] - homogeneous[known, 0] * t0
    column = homogeneous[known, 1]
    t_mass0 = float(column @ residual / max(column @ column, 1e-12))
    states = simulate(d, (t0, t_mass0), t_out=t_out[first:], q_hvac=q[first:], gains=gains[first:])
    t_air = last if not np.isnan(last) else float(states[-1, 0])
    offset = _offset(
        model, d, t_zone[first:], states, t_out=t_out[first:], q=q[first:], gains=gains[first:]
    )
    return InitialState(
        t_air=t_air,
        t_mass=float(states[-1, 1]),
        at=recent.end,
        gains_offset_w=offset,
        removed_w=removed_load(q, window.step_s),
    )


def _offset(
    model: ZoneModel,
    d: Discrete,
    t_zone: FloatArray,
    states: FloatArray,
    *,
    t_out: FloatArray,
    q: FloatArray,
    gains: FloatArray,
) -> float:
    """Today's gains offset from the last `ASSIMILATION_S` of the warm-up (0 for a model
    from priors: its profile is a guess, and its band already wide)."""
    steps = round(ASSIMILATION_S / d.step_s)
    if not model.calibrated or steps < 1 or t_zone.shape[0] <= steps:
        return 0.0
    s = t_zone.shape[0] - steps - 1  # the state at the end of step s starts the last hour
    x0 = (float(t_zone[s]), float(states[s, 1]))
    tail = slice(s + 1, None)
    return gains_offset(
        d,
        t_zone[s:],
        x0,
        t_out=t_out[tail],
        q_hvac=q[tail],
        gains=gains[tail],
        limit_w=OFFSET_LIMIT * max(model.heat_capacity_w, model.cool_capacity_w),
    )


def predict(
    model: ZoneModel,
    recent: ZoneSeries,
    future: FutureInputs,
    *,
    band_level: float = 0.9,
    initial: InitialState | None = None,
) -> Prediction:
    """The zone's air temperature, band and HVAC heat over the future's steps."""
    state = initial if initial is not None else initial_state(model, recent)
    n = len(future)
    times = grid(future.start, future.start + _seconds(n * future.step_s), future.step_s)
    d = discretise(model.parameters, future.step_s)
    lead = (np.arange(n) + 1.0) * future.step_s
    # the offset acts over each step: its value at the step's middle
    offset = offset_over(lead - future.step_s / 2.0, state.gains_offset_w)
    gains = model.gains.values(times, step_s=future.step_s) * future.gains_factor + offset
    run = simulate_controlled(
        d,
        (state.t_air, state.t_mass),
        t_out=future.t_out,
        gains=gains,
        heating_sp=future.heating_sp,
        cooling_sp=future.cooling_sp,
        available=future.hvac_available,
        heat_capacity_w=model.heat_capacity_w * future.capacity_factor,
        cool_capacity_w=model.cool_capacity_w * future.capacity_factor,
        deadband_q_w=model.deadband_q_w,
    )
    free = ~future.hvac_available
    lo, hi = model.band.interval(lead, free, level=band_level)
    t_air = run.t_air + model.release.correction(_free_for(free, future.step_s), state.removed_w)
    return Prediction(
        zone=model.zone,
        model_id=model.model_id,
        calibrated=model.calibrated,
        times=times,
        t_air=t_air,
        lower=t_air + lo,
        upper=t_air + hi,
        q_hvac=run.q_hvac,
        band_level=band_level,
    )


def _free_for(free: NDArray[np.bool_], step_s: float) -> FloatArray:
    """Seconds since the HVAC became unavailable at each step's end (0 where available)."""
    index = np.arange(free.shape[0])
    began = np.maximum.accumulate(np.where(free, 0, index + 1))
    return np.where(free, (index + 1 - began) * step_s, 0.0)


def _last_known(values: FloatArray) -> float:
    known = np.flatnonzero(~np.isnan(values))
    return float(values[known[-1]]) if known.size else float("nan")


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=float(value))
