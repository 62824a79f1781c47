"""Fit a zone's 2R2C model to its history (`scipy.optimize.least_squares`).

```python
model = calibrate(series, prior=prior(zp.floor_area_m2, zp.volume_m3, utc_offset_h=-6))
model.calibrated, model.rmse_k, model.to_record()
```

What is fitted, and how:

- The error is the multi-step one: the model runs over the whole window from its first state
  on the observed outdoor temperature and HVAC heat (output error, not one-step-ahead), and
  the residual is observed minus simulated air temperature at every step with data.
- R_ao, R_am, C_air, C_mass and the convective share of the gains are the nonlinear unknowns,
  in logarithms, started from the prior (geometry) and bounded to a factor of it
  (`BOUNDS`). For each trial of those the model is linear in the 48 hourly gains and the
  unobserved initial mass temperature, which are solved exactly by linear least squares
  (variable projection), with a weak pull of the gains toward the prior's (`RIDGE`) so that
  hours the window never shows stay sensible.
- The HVAC capacity is a high quantile (`CAPACITY_QUANTILE`) of the heat the HVAC delivered
  while it ran, times `CAPACITY_MARGIN`; a direction never used in the window (no heating in
  summer) keeps the prior's.
- The band is replayed on the window (`band.py`).
- Too little history (under `min_days` of complete steps) gives the prior with
  `calibrated=False` and the wide prior band, never a silent fit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import scipy.linalg
from numpy.typing import NDArray
from scipy.optimize import least_squares
from threadpoolctl import threadpool_limits

from graphtwin.simulation.thermal.band import empirical_band, prior_band
from graphtwin.simulation.thermal.gains import SLOTS, GainProfile, basis
from graphtwin.simulation.thermal.priors import Prior
from graphtwin.simulation.thermal.rc import (
    Discrete,
    RcParameters,
    discretise,
    initial_responses,
    input_response,
    simulate,
    simulate_controlled,
)
from graphtwin.simulation.thermal.release import learn_release
from graphtwin.simulation.thermal.series import ZoneSeries, fill_gaps
from graphtwin.simulation.thermal.zone_model import DEFAULT_STALE_AFTER, ZoneModel

MIN_DAYS = 3.0
BOUNDS: dict[str, tuple[float, float]] = {
    "r_ao": (0.05, 20.0),
    "r_am": (0.05, 20.0),
    "c_air": (0.2, 20.0),
    "c_mass": (0.05, 20.0),
}
"""Each parameter stays within these factors of its prior."""
GAIN_FRACTION_BOUNDS = (0.05, 1.0)
RIDGE = 1e-3
"""Weight of the pull of the gains toward the prior's, relative to the data."""
CAPACITY_QUANTILE = 0.99
CAPACITY_MARGIN = 1.1
DEADBAND_MARGIN_K = 0.3
MIN_DEADBAND_STEPS = 8
BAND_HORIZON_S = 6 * 3600.0
BAND_ORIGIN_EVERY_S = 3600.0

FloatArray = NDArray[np.float64]
_NAMES = ("r_ao", "r_am", "c_air", "c_mass")


def calibrate(
    series: ZoneSeries,
    *,
    prior: Prior,
    min_days: float = MIN_DAYS,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    now: datetime | None = None,
    minimum_flow: bool = True,
) -> ZoneModel:
    """The zone's model fitted on `series` (see the module doc). `minimum_flow`: the zone's
    terminals keep a minimum airflow while the fan runs (VAV boxes, `ZonePoints.
    variable_air_volume`), so the heat they deliver inside the dead band is learned; a zone
    served by constant-volume or packaged units, whose fans cycle, gets none."""
    fitted_at = now or datetime.now(UTC)
    valid = ~(np.isnan(series.t_zone) | np.isnan(series.t_out) | np.isnan(series.q_hvac))
    days = float(valid.sum()) * series.step_s / 86400.0
    if days < min_days:
        return prior_model(
            series.zone,
            prior,
            fitted_at=fitted_at,
            stale_after=stale_after,
            note=f"history too short: {days:.1f} of {min_days:.1f} days",
            samples=int(valid.sum()),
        )
    known = np.flatnonzero(valid)
    window = slice(int(known[0]), int(known[-1]) + 1)
    times = series.times[window]
    step = series.step_s
    t_zone = series.t_zone[window]
    t_out = fill_gaps(series.t_out[window])
    q = fill_gaps(series.q_hvac[window])
    scored = valid[window].copy()
    scored[0] = False  # the first step is the initial state

    g_basis = basis(times, step, prior.gains.utc_offset_h)
    seen = g_basis[scored].sum(axis=0) > 0
    prior_watts = np.asarray(prior.gains.watts, float)
    fixed_gains = g_basis[:, ~seen] @ prior_watts[~seen]
    fit = _Fit(t_zone, t_out, q, g_basis[:, seen], fixed_gains, prior_watts[seen], scored, step)

    p0 = prior.parameters
    z0 = np.r_[np.log([getattr(p0, n) for n in _NAMES]), p0.air_gain_fraction]
    lower = np.r_[[np.log(getattr(p0, n) * BOUNDS[n][0]) for n in _NAMES], GAIN_FRACTION_BOUNDS[0]]
    upper = np.r_[[np.log(getattr(p0, n) * BOUNDS[n][1]) for n in _NAMES], GAIN_FRACTION_BOUNDS[1]]
    z0 = np.clip(z0, lower + 1e-9, upper - 1e-9)
    # The matrices are small (a few thousand x 49): BLAS threads only contend, and on a
    # loaded machine made a fit 50 times slower. One thread for the fit.
    with threadpool_limits(limits=1, user_api="blas"):
        solution = least_squares(
            fit.residuals, z0, bounds=(lower, upper), diff_step=1e-3, x_scale=1.0, max_nfev=100
        )
    params = _parameters(solution.x)
    linear = fit.linear(params)
    watts = prior_watts.copy()
    watts[seen] = linear[:-1]
    gains = GainProfile(tuple(float(w) for w in watts), prior.gains.utc_offset_h)
    d = discretise(params, step)
    gain_w = gains.values(times, step_s=step)
    states = simulate(d, (t_zone[0], linear[-1]), t_out=t_out, q_hvac=q, gains=gain_w)
    error = t_zone - states[:, 0]
    rmse = float(np.sqrt(np.mean(error[scored] ** 2)))

    fan = series.fan_on[window]
    heat_cap = _capacity(q, fan, +1.0, prior.heat_capacity_w)
    cool_cap = _capacity(q, fan, -1.0, prior.cool_capacity_w)
    deadband = (
        _deadband_heat(
            q, fan, t_zone, series.heating_sp[window], series.cooling_sp[window], valid[window]
        )
        if minimum_flow
        else 0.0
    )
    band = _replayed_band(
        d,
        states,
        t_zone=t_zone,
        t_out=t_out,
        gains=gain_w,
        fan=fan,
        heating_sp=series.heating_sp[window],
        cooling_sp=series.cooling_sp[window],
        heat_cap=heat_cap,
        cool_cap=cool_cap,
        deadband_q_w=deadband,
    )
    release = learn_release(
        d, states[:, 1], t_zone=t_zone, t_out=t_out, q_hvac=q, gains=gain_w, fan=fan
    )
    return ZoneModel(
        zone=series.zone,
        parameters=params,
        gains=gains,
        heat_capacity_w=heat_cap,
        cool_capacity_w=cool_cap,
        band=band,
        calibrated=True,
        rmse_k=rmse,
        samples=int(scored.sum()),
        fitted_from=_to_datetime(times[0] - np.timedelta64(int(step), "s")),
        fitted_to=_to_datetime(times[-1]),
        fitted_at=fitted_at,
        stale_after=stale_after,
        note=f"fitted on {days:.1f} days ({solution.nfev} evaluations)",
        release=release,
        deadband_q_w=deadband,
    )


def prior_model(
    zone: str,
    prior: Prior,
    *,
    fitted_at: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    note: str = "from priors (geometry)",
    samples: int = 0,
) -> ZoneModel:
    """The uncalibrated model of a zone: priors, flagged, with the wide prior band."""
    return ZoneModel(
        zone=zone,
        parameters=prior.parameters,
        gains=prior.gains,
        heat_capacity_w=prior.heat_capacity_w,
        cool_capacity_w=prior.cool_capacity_w,
        band=prior_band(),
        calibrated=False,
        rmse_k=None,
        samples=samples,
        fitted_from=None,
        fitted_to=None,
        fitted_at=fitted_at or datetime.now(UTC),
        stale_after=stale_after,
        note=note,
    )


class _Fit:
    """The variable-projection residual of one window."""

    def __init__(
        self,
        t_zone: FloatArray,
        t_out: FloatArray,
        q: FloatArray,
        g_basis: FloatArray,
        fixed_gains: FloatArray,
        prior_watts: FloatArray,
        scored: NDArray[np.bool_],
        step_s: float,
    ) -> None:
        self.t_zone, self.t_out, self.q = t_zone, t_out, q
        self.g_basis, self.fixed_gains = g_basis, fixed_gains
        self.prior_watts, self.scored, self.step_s = prior_watts, scored, step_s
        self.t0 = float(t_zone[0])
        scale = max(float(np.abs(prior_watts).max()), 1.0)
        self.ridge = np.sqrt(RIDGE * scored.sum()) / scale

    def _design(self, params: RcParameters) -> tuple[FloatArray, FloatArray]:
        d = discretise(params, self.step_s)
        n = self.t_zone.shape[0]
        # the state before step 1 is (t0, mass0): responses run from index 1
        forced = np.zeros(n)
        forced[1:] = (
            input_response(d, 0, self.t_out[1:])
            + input_response(d, 1, self.q[1:])
            + input_response(d, 2, self.fixed_gains[1:])
        )
        columns = np.zeros((n, self.g_basis.shape[1] + 1))
        columns[1:, :-1] = input_response(d, 2, self.g_basis[1:])
        homogeneous = initial_responses(d, n - 1)
        columns[1:, -1] = homogeneous[:, 1]
        forced[1:] += homogeneous[:, 0] * self.t0
        return forced, columns

    def _solve(self, forced: FloatArray, columns: FloatArray) -> FloatArray:
        s = self.scored
        a = columns[s]
        b = self.t_zone[s] - forced[s]
        m = self.g_basis.shape[1]
        reg = np.zeros((m, m + 1))
        reg[:, :m] = np.eye(m) * self.ridge
        a_all = np.vstack([a, reg])
        b_all = np.r_[b, self.prior_watts * self.ridge]
        # normal equations on norm-scaled columns: a 49x49 solve, far faster than an SVD
        scale = np.linalg.norm(a_all, axis=0)
        scale[scale == 0.0] = 1.0
        a_s = a_all / scale
        gram = a_s.T @ a_s + np.eye(m + 1) * 1e-10
        return scipy.linalg.solve(gram, a_s.T @ b_all, assume_a="pos") / scale

    def linear(self, params: RcParameters) -> FloatArray:
        """The gains (W, per seen slot) and the initial mass temperature, for `params`."""
        forced, columns = self._design(params)
        return self._solve(forced, columns)

    def residuals(self, z: FloatArray) -> FloatArray:
        forced, columns = self._design(_parameters(z))
        solution = self._solve(forced, columns)
        return (self.t_zone - forced - columns @ solution)[self.scored]


def _parameters(z: FloatArray) -> RcParameters:
    r_ao, r_am, c_air, c_mass = np.exp(z[:4])
    return RcParameters(
        r_ao=float(r_ao),
        r_am=float(r_am),
        c_air=float(c_air),
        c_mass=float(c_mass),
        air_gain_fraction=float(z[4]),
    )


def _capacity(q: FloatArray, fan: FloatArray, sign: float, prior_w: float) -> float:
    running = fan == 1.0
    delivered = np.clip(sign * q[running], 0.0, None)
    if delivered.size == 0 or np.mean(delivered > 0.0) < 0.01:
        return float(prior_w)
    return float(np.quantile(delivered, CAPACITY_QUANTILE) * CAPACITY_MARGIN)


def _deadband_heat(
    q: FloatArray,
    fan: FloatArray,
    t_zone: FloatArray,
    heating_sp: FloatArray,
    cooling_sp: FloatArray,
    valid: NDArray[np.bool_],
) -> float:
    """The median heat (W) the running HVAC delivered with the zone inside its dead band,
    `DEADBAND_MARGIN_K` clear of both setpoints: a VAV box's minimum airflow (negative:
    cooling); 0 with fewer than `MIN_DEADBAND_STEPS` such steps."""
    with np.errstate(invalid="ignore"):
        inside = (
            valid
            & (fan == 1.0)
            & (t_zone > heating_sp + DEADBAND_MARGIN_K)
            & (t_zone < cooling_sp - DEADBAND_MARGIN_K)
        )
    if inside.sum() < MIN_DEADBAND_STEPS:
        return 0.0
    return float(np.median(q[inside]))


def _replayed_band(
    d: Discrete,
    states: FloatArray,
    *,
    t_zone: FloatArray,
    t_out: FloatArray,
    gains: FloatArray,
    fan: FloatArray,
    heating_sp: FloatArray,
    cooling_sp: FloatArray,
    heat_cap: float,
    cool_cap: float,
    deadband_q_w: float,
) -> object:
    """Forecasts from every hour of the window, scored against what followed."""
    step = d.step_s
    horizon = max(1, round(BAND_HORIZON_S / step))
    every = max(1, round(BAND_ORIGIN_EVERY_S / step))
    n = t_zone.shape[0]
    free_errors, controlled_errors = [], []
    heat = fill_gaps(heating_sp, np.nan)
    cool = fill_gaps(cooling_sp, np.nan)
    # skip the first day: the mass state there still carries the unknown start
    for o in range(max(1, round(86400.0 / step)), n - horizon, every):
        if np.isnan(t_zone[o]):
            continue
        ahead = slice(o + 1, o + 1 + horizon)
        status = fan[ahead]
        x0 = (float(t_zone[o]), float(states[o, 1]))
        if (status == 0.0).all():
            sim = simulate(d, x0, t_out=t_out[ahead], q_hvac=np.zeros(horizon), gains=gains[ahead])
            free_errors.append(t_zone[ahead] - sim[:, 0])
        elif (status == 1.0).all():
            run = simulate_controlled(
                d,
                x0,
                t_out=t_out[ahead],
                gains=gains[ahead],
                heating_sp=heat[ahead],
                cooling_sp=cool[ahead],
                available=np.ones(horizon, bool),
                heat_capacity_w=heat_cap,
                cool_capacity_w=cool_cap,
                deadband_q_w=deadband_q_w,
            )
            controlled_errors.append(t_zone[ahead] - run.t_air)
    leads = (np.arange(horizon) + 1.0) * step
    return empirical_band(
        leads,
        np.array(free_errors).reshape(-1, horizon),
        np.array(controlled_errors).reshape(-1, horizon),
        fallback=prior_band(BAND_HORIZON_S, step),
    )


def _to_datetime(value: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(value.astype("datetime64[s]").astype(np.int64)), tz=UTC)


__all__ = ["MIN_DAYS", "SLOTS", "calibrate", "prior_model"]
