"""When a forecast crosses a threshold rule's bounds, and how likely that is.

Each forecast step's distribution is taken as the normal its intervals imply, one side at a
time: above the mean, sigma = (hi90 - mean) / z(0.95); below, (mean - lo90) / z(0.95) (so a
skewed interval gives each side its own spread). The probability of being beyond a bound at a
step follows. Forecast errors at neighbouring steps are strongly correlated (the same missed
warm-up carries through the morning), so the probability of crossing at some step within the
horizon is taken as the largest per-step probability: exact when the errors move together, a
lower bound otherwise (independent steps would give 1 - prod(1 - p), which overstates a
correlated path's chance many times over).

The expected time of the crossing is the first step whose mean is beyond the bound; when the
mean stays inside, the first step where the crossing is most likely.

>>> import numpy as np
>>> from graphtwin.drift.rules import Bounds
>>> times = np.datetime64("2025-07-01T12:00") + np.arange(4) * np.timedelta64(15, "m")
>>> mean = np.array([24.0, 25.0, 26.0, 27.0])
>>> forecast = Forecast("m", None, times, mean, mean - 0.5, mean + 0.5, mean - 0.6, mean + 0.6,
...                     mean - 0.8, mean + 0.8)
>>> crossing = first_crossing(forecast, Bounds(high=26.5))
>>> str(crossing.at), crossing.side, round(crossing.probability, 2)
('2025-07-01T12:45', 'high', 0.91)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import norm

from graphtwin.drift.rules import Bounds, Thresholds
from graphtwin.prediction.forecast import Forecast

_Z90 = float(norm.ppf(0.95))
_MIN_SIGMA = 1e-9


@dataclass(frozen=True, slots=True)
class Crossing:
    """A forecast crossing of `bound` (`side` low or high) expected at `at`, with `probability`
    of crossing within the forecast's horizon; `probabilities` per forecast step."""

    at: np.datetime64
    probability: float
    side: Literal["low", "high"]
    bound: float
    severity: Literal["warning", "critical"] | None
    probabilities: np.ndarray


def step_probabilities(
    forecast: Forecast, bounds: Bounds, *, active: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per step, the probability of being below `bounds.low` and above `bounds.high` (0 where
    `active` is False: a rule that holds only at some times, e.g. occupied hours)."""
    mean = np.asarray(forecast.mean, dtype=np.float64)
    up = np.maximum((np.asarray(forecast.hi90) - mean) / _Z90, _MIN_SIGMA)
    down = np.maximum((mean - np.asarray(forecast.lo90)) / _Z90, _MIN_SIGMA)
    low = np.zeros_like(mean)
    high = np.zeros_like(mean)
    if bounds.high is not None:
        high = norm.sf((bounds.high - mean) / np.where(mean <= bounds.high, up, down))
    if bounds.low is not None:
        low = norm.cdf((bounds.low - mean) / np.where(mean >= bounds.low, down, up))
    if active is not None:
        on = np.asarray(active, dtype=bool)
        low, high = np.where(on, low, 0.0), np.where(on, high, 0.0)
    finite = np.isfinite(mean)
    return np.where(finite, low, 0.0), np.where(finite, high, 0.0)


def first_crossing(
    forecast: Forecast,
    bounds: Bounds,
    *,
    active: np.ndarray | None = None,
    severity: Literal["warning", "critical"] | None = None,
) -> Crossing | None:
    """The likelier of a crossing below and above `bounds` within the forecast, or None when
    neither has any probability (see the module for how it is computed)."""
    low, high = step_probabilities(forecast, bounds, active=active)
    best: Crossing | None = None
    for side, probs, bound in (("low", low, bounds.low), ("high", high, bounds.high)):
        if bound is None or probs.size == 0 or probs.max() <= 0.0:
            continue
        mean = np.asarray(forecast.mean)
        beyond = (mean < bound) if side == "low" else (mean > bound)
        if active is not None:
            beyond &= np.asarray(active, dtype=bool)
        index = int(np.argmax(beyond)) if beyond.any() else int(np.argmax(probs))
        found = Crossing(
            at=np.asarray(forecast.times)[index],
            probability=float(probs.max()),
            side=side,  # type: ignore[arg-type]
            bound=float(bound),
            severity=severity,
            probabilities=probs,
        )
        if best is None or found.probability > best.probability:
            best = found
    return best


def threshold_crossings(
    forecast: Forecast, thresholds: Thresholds, *, active: np.ndarray | None = None
) -> list[Crossing]:
    """The crossings of a threshold rule's critical and warning bounds (in that order)."""
    found = []
    for name in ("critical", "warning"):
        bounds: Bounds | None = getattr(thresholds, name)
        if bounds is not None:
            crossing = first_crossing(forecast, bounds, active=active, severity=name)  # type: ignore[arg-type]
            if crossing is not None:
                found.append(crossing)
    return found


def threshold_crossing(
    forecast: Forecast,
    thresholds: Thresholds,
    *,
    min_probability: float,
    active: np.ndarray | None = None,
) -> Crossing | None:
    """The most severe crossing of a threshold rule at least `min_probability` likely, or None:
    what an early warning opens an issue for."""
    for crossing in threshold_crossings(forecast, thresholds, active=active):
        if crossing.probability >= min_probability:
            return crossing
    return None
