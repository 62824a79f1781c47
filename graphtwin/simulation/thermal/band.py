"""The uncertainty band of a zone trajectory: empirical quantiles of the model's own multi-step
errors, by lead time, in two regimes.

Why this method: the errors that matter are those of a 4-hour forecast started from a known
zone temperature with an estimated mass temperature, under gains the model only knows as a
profile. Replaying exactly that in the calibration window (a forecast from every hour, compared
with what followed) measures them directly, with their growth over the horizon and their bias,
without assuming they are Gaussian or that the parameter uncertainty is the main source (it is
not: the unobserved gains are). Regimes are kept apart because the errors differ in kind:
free-floating (HVAC off: the night set-back in the history, a trip in a scenario) drifts with
the gains and the envelope, controlled (HVAC on) stays near the setpoint and errs where the
real controller over- or under-shoots.

Free-floating in history happens at night with low gains, while a trip happens by day, so the
free-floating band is widened by `DAYTIME_FREE_WIDENING`, set on the Denver data sets' AHU trips
(not on the benchmark's events); a history that never floated takes the prior's table, widened
by `PRIOR_FREE_WIDENING` only. A model from priors alone gets `prior_band()`: a wide band that
grows with the square root of the lead time. A quantile table covers lead times up to the
longest replayed; beyond it the last row grows with the square root of the lead time.

>>> band = prior_band()
>>> lo, hi = band.interval(np.array([3600.0]), np.array([True]), level=0.9)
>>> bool(hi[0] > 1.0 and lo[0] < -1.0)
True
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

PROBS: tuple[float, ...] = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99)
"""The error quantiles kept (any band level between 0.5 and 0.98 is interpolated)."""
MIN_HALF_WIDTH_K = 0.15
"""The band is never narrower than +-0.15 K (sensor resolution and rounding)."""
DAYTIME_FREE_WIDENING = 8.0
"""Free-floating band widening for daytime trips: set on the Denver data sets' AHU trips so
that 80-95 % of their zones' values fall inside the 90 % band (5: 75 %, 7: 82 %, 9: 93 %)."""
PRIOR_FREE_WIDENING = 2.0
"""Free-floating widening of a table that came from the priors (fewer than `MIN_ORIGINS`
replays: a history too short to have seen the zone float). The prior table is no night-time
measurement, so `DAYTIME_FREE_WIDENING` does not apply to it (it gave +-24 K after four hours);
twice the prior, +-6 K after four hours, is still wider than any calibrated zone's band."""
PRIOR_HALF_WIDTH_1H_K = 1.5
"""A model from priors alone: +-1.5 K after one hour (90 %), growing as sqrt(lead)."""
MIN_ORIGINS = 12


@dataclass(frozen=True, slots=True)
class ResidualBand:
    """Quantiles (observed - predicted, K) of each regime's errors by lead time."""

    lead_s: tuple[float, ...]
    free: tuple[tuple[float, ...], ...]
    """One row of `PROBS` quantiles per lead time, HVAC off."""
    controlled: tuple[tuple[float, ...], ...]
    """Same, HVAC on."""
    origins: tuple[int, int] = (0, 0)
    """How many forecasts were replayed (free, controlled)."""
    widening: float = 1.0
    """Applied to both regimes on top of the table (a model from priors: > 1)."""

    def interval(
        self,
        lead_s: NDArray[np.float64],
        free: NDArray[np.bool_],
        *,
        level: float = 0.9,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Offsets (lower, upper) to add to the prediction at each lead time."""
        if not 0.5 <= level <= 0.98:
            raise ValueError(f"band level {level} is outside 0.5-0.98")
        lo_p, hi_p = (1.0 - level) / 2.0, (1.0 + level) / 2.0
        lower = np.empty(lead_s.shape[0])
        upper = np.empty(lead_s.shape[0])
        measured = self.origins[0] >= MIN_ORIGINS
        free_factor = DAYTIME_FREE_WIDENING if measured else PRIOR_FREE_WIDENING
        for regime, table, factor in (
            (True, self.free, free_factor),
            (False, self.controlled, 1.0),
        ):
            pick = free == regime
            if not pick.any():
                continue
            q = np.asarray(table, float)
            lo_col = np.array([np.interp(lo_p, PROBS, row) for row in q])
            hi_col = np.array([np.interp(hi_p, PROBS, row) for row in q])
            lo, hi = _at_leads(np.asarray(self.lead_s), lo_col, hi_col, lead_s[pick])
            scale = factor * self.widening
            mid = (lo + hi) / 2.0
            half = np.maximum((hi - lo) / 2.0 * scale, MIN_HALF_WIDTH_K)
            lower[pick] = mid - half
            upper[pick] = mid + half
        return lower, upper

    def widened(self, factor: float) -> ResidualBand:
        return ResidualBand(self.lead_s, self.free, self.controlled, self.origins, factor)

    def to_record(self) -> dict[str, Any]:
        return {
            "lead_s": list(self.lead_s),
            "free": [list(r) for r in self.free],
            "controlled": [list(r) for r in self.controlled],
            "origins": list(self.origins),
            "widening": self.widening,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ResidualBand:
        return cls(
            lead_s=tuple(float(x) for x in record["lead_s"]),
            free=tuple(tuple(float(x) for x in r) for r in record["free"]),
            controlled=tuple(tuple(float(x) for x in r) for r in record["controlled"]),
            origins=(int(record["origins"][0]), int(record["origins"][1])),
            widening=float(record.get("widening", 1.0)),
        )


def _at_leads(
    table_lead: NDArray[np.float64],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    lead_s: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Interpolate the table at the leads (0 at lead 0); beyond its end, sqrt growth."""
    x = np.r_[0.0, table_lead]
    lo_i = np.interp(lead_s, x, np.r_[0.0, lo])
    hi_i = np.interp(lead_s, x, np.r_[0.0, hi])
    beyond = lead_s > x[-1]
    if beyond.any():
        growth = np.sqrt(lead_s[beyond] / x[-1])
        lo_i[beyond] = lo[-1] * growth
        hi_i[beyond] = hi[-1] * growth
    return lo_i, hi_i


def gaussian_table(
    half_width_1h_k: float, lead_s: Sequence[float]
) -> tuple[tuple[float, ...], ...]:
    """A symmetric quantile table whose 90 % half-width is `half_width_1h_k` at one hour and
    grows as the square root of the lead time."""
    from scipy.stats import norm

    z90 = float(norm.ppf(0.95))
    z = norm.ppf(np.asarray(PROBS))  # once: ppf is slow per call
    rows = []
    for lead in lead_s:
        sigma = half_width_1h_k / z90 * np.sqrt(lead / 3600.0)
        rows.append(tuple(float(sigma * q) for q in z))
    return tuple(rows)


@functools.cache
def prior_band(horizon_s: float = 6 * 3600.0, step_s: float = 900.0) -> ResidualBand:
    """The wide band of a model from priors alone."""
    leads = tuple(float(x) for x in np.arange(step_s, horizon_s + step_s / 2, step_s))
    table = gaussian_table(PRIOR_HALF_WIDTH_1H_K, leads)
    return ResidualBand(leads, table, table)


def empirical_band(
    lead_s: Sequence[float],
    free_errors: NDArray[np.float64],
    controlled_errors: NDArray[np.float64],
    *,
    fallback: ResidualBand,
) -> ResidualBand:
    """Quantile tables from replayed forecasts (origins x leads, observed - predicted, NaN
    where unobserved); a regime with fewer than `MIN_ORIGINS` replays takes the fallback's."""

    def table(errors: NDArray[np.float64], fallback_rows: tuple[tuple[float, ...], ...]) -> Any:
        if errors.shape[0] < MIN_ORIGINS:
            leads = np.asarray(fallback.lead_s)
            rows = np.asarray(fallback_rows)
            return tuple(
                tuple(float(np.interp(lead, leads, rows[:, j])) for j in range(len(PROBS)))
                for lead in lead_s
            )
        return tuple(
            tuple(float(v) for v in np.nanquantile(errors[:, k], PROBS))
            for k in range(errors.shape[1])
        )

    return ResidualBand(
        lead_s=tuple(float(x) for x in lead_s),
        free=table(free_errors, fallback.free),
        controlled=table(controlled_errors, fallback.controlled),
        origins=(int(free_errors.shape[0]), int(controlled_errors.shape[0])),
    )
