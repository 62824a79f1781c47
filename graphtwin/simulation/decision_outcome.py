"""An accepted action's predicted outcome, and how it compares with what was observed since.

When a person accepts an action of a what-if run (`graphtwin.simulation.decisions`), the
decision keeps what the run PREDICTED for it, per zone: the mean, lowest and highest air
temperature over the horizon and the minutes outside the zone's comfort bounds (the bounds the
run's violations name; a zone without a known bound has no violation minutes, not zero).

Later, `backtest_zone` lays the history of the zone's air temperature point over the elapsed
part of the horizon: at each simulated step that has passed, the last observed value at or
before it (held at most `HOLD`, as a BMS reports on change). Where fewer than `MIN_STEPS` steps
have an observed value, the answer is "not enough history yet" with the reason: no number is
made up. Otherwise: the predicted and observed means over the same steps, the error (observed
minus predicted), the mean absolute error, and the violation minutes of both.

>>> from datetime import UTC, datetime, timedelta
>>> t0 = datetime(2026, 7, 8, 9, tzinfo=UTC)
>>> times = [t0 + timedelta(minutes=5 * i) for i in range(4)]
>>> p = zone_prediction("z1", "z1.t", [22.0, 23.0, 24.0, 25.0], 300.0, Limits(None, 24.5))
>>> (p.mean_c, p.violation_minutes)
(23.5, 5.0)
>>> seen = [(t0, 22.5), (t0 + timedelta(minutes=9), 24.0)]
>>> b = backtest_zone(p, times, [22.0, 23.0, 24.0, 25.0], seen, now=t0 + timedelta(hours=1))
>>> (b.status, b.samples, b.observed_mean_c, b.error_c)
('compared', 4, 23.25, -0.25)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

HOLD = timedelta(hours=1)
"""How long an observed value stands for the zone after it was reported (on-change BMS)."""
MIN_STEPS = 3
"""The fewest elapsed steps with an observed value that a comparison needs."""
COMPARED = "compared"
NOT_ENOUGH_HISTORY = "not_enough_history"
NO_POINT = "no_point"


@dataclass(frozen=True, slots=True)
class Limits:
    """A zone's comfort bounds as the run's constraints set them (None: not known)."""

    lower: float | None
    upper: float | None

    def outside(self, value: float) -> bool:
        return (self.lower is not None and value < self.lower) or (
            self.upper is not None and value > self.upper
        )

    @property
    def known(self) -> bool:
        return self.lower is not None or self.upper is not None


@dataclass(frozen=True, slots=True)
class ZonePrediction:
    """What a run predicted for one zone's air temperature under the accepted action."""

    zone: str
    point: str | None
    """The zone's air temperature point, whose history the backtest reads."""
    mean_c: float
    min_c: float
    max_c: float
    lower_limit: float | None
    upper_limit: float | None
    violation_minutes: float | None
    """Minutes outside the limits over the horizon; None when no limit is known."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ZonePrediction:
        return cls(**{k: raw.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]

    @property
    def limits(self) -> Limits:
        return Limits(self.lower_limit, self.upper_limit)


@dataclass(frozen=True, slots=True)
class ZoneBacktest:
    """A zone's predicted against observed air temperature over the elapsed steps."""

    zone: str
    point: str | None
    status: str
    """`compared`, `not_enough_history` or `no_point`."""
    reason: str
    samples: int
    """Elapsed steps with an observed value (the steps compared)."""
    predicted_mean_c: float | None = None
    observed_mean_c: float | None = None
    error_c: float | None = None
    """Observed minus predicted mean (positive: warmer than predicted)."""
    mean_abs_error_c: float | None = None
    predicted_violation_minutes: float | None = None
    observed_violation_minutes: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def zone_limits(violations: Iterable[Mapping[str, Any]]) -> dict[str, Limits]:
    """Each zone's comfort bounds from a run's violations (any variant's): the tightest `min`
    and `max` limits named for its air temperature."""
    lower: dict[str, float] = {}
    upper: dict[str, float] = {}
    for v in violations:
        node, limit = str(v["node"]), float(v["limit"])
        if v["bound"] == "min":
            lower[node] = max(limit, lower.get(node, -math.inf))
        elif v["bound"] == "max":
            upper[node] = min(limit, upper.get(node, math.inf))
    return {z: Limits(lower.get(z), upper.get(z)) for z in {*lower, *upper}}


def zone_prediction(
    zone: str, point: str | None, values: Sequence[float], step_s: float, limits: Limits
) -> ZonePrediction:
    """The summary of one zone's predicted air temperature series (one value per step)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        raise ValueError(f"zone {zone}: the predicted series has no value")
    minutes = sum(step_s / 60.0 for v in finite if limits.outside(v)) if limits.known else None
    return ZonePrediction(
        zone=zone,
        point=point,
        mean_c=sum(finite) / len(finite),
        min_c=min(finite),
        max_c=max(finite),
        lower_limit=limits.lower,
        upper_limit=limits.upper,
        violation_minutes=minutes,
    )


def backtest_zone(
    prediction: ZonePrediction,
    times: Sequence[datetime],
    values: Sequence[float],
    observed: Iterable[tuple[datetime, float]],
    *,
    now: datetime,
    step_s: float | None = None,
) -> ZoneBacktest:
    """Compare the predicted series (`times`, `values`) with the `observed` (time, value)
    history over the steps that have passed by `now` (see the module doc)."""
    if prediction.point is None:
        return ZoneBacktest(
            prediction.zone, None, NO_POINT, "the zone has no air temperature point", 0
        )
    elapsed = [(t, v) for t, v in zip(times, values, strict=True) if t <= now]
    if not elapsed:
        return _not_enough(prediction, f"its first simulated step is at {times[0].isoformat()}", 0)
    seen = sorted((t, v) for t, v in observed if math.isfinite(v))
    pairs: list[tuple[float, float]] = []
    i, last = 0, None
    for t, predicted in elapsed:
        while i < len(seen) and seen[i][0] <= t:
            last = seen[i]
            i += 1
        if last is not None and t - last[0] <= HOLD:
            pairs.append((predicted, last[1]))
    if len(pairs) < MIN_STEPS:
        return _not_enough(
            prediction,
            f"{len(pairs)} of {len(elapsed)} elapsed steps have an observed value of "
            f"{prediction.point} (at least {MIN_STEPS} needed)",
            len(pairs),
        )
    if step_s is None:
        step_s = (times[1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    limits = prediction.limits
    predicted_mean = sum(p for p, _ in pairs) / len(pairs)
    observed_mean = sum(o for _, o in pairs) / len(pairs)
    minutes = step_s / 60.0
    return ZoneBacktest(
        zone=prediction.zone,
        point=prediction.point,
        status=COMPARED,
        reason=f"{len(pairs)} of {len(elapsed)} elapsed steps compared",
        samples=len(pairs),
        predicted_mean_c=predicted_mean,
        observed_mean_c=observed_mean,
        error_c=observed_mean - predicted_mean,
        mean_abs_error_c=sum(abs(o - p) for p, o in pairs) / len(pairs),
        predicted_violation_minutes=(
            sum(minutes for p, _ in pairs if limits.outside(p)) if limits.known else None
        ),
        observed_violation_minutes=(
            sum(minutes for _, o in pairs if limits.outside(o)) if limits.known else None
        ),
    )


def _not_enough(prediction: ZonePrediction, why: str, samples: int) -> ZoneBacktest:
    return ZoneBacktest(
        prediction.zone, prediction.point, NOT_ENOUGH_HISTORY, f"not enough history yet: {why}",
        samples,
    )  # fmt: skip


def overall(zones: Sequence[ZoneBacktest]) -> dict[str, Any]:
    """A decision's backtest over its zones: compared when any zone is, the mean absolute
    error over the compared zones and their violation minutes, predicted and observed."""
    compared = [z for z in zones if z.status == COMPARED]
    if not compared:
        reasons = "; ".join(f"{z.zone}: {z.reason}" for z in zones) or "no zone was simulated"
        return {
            "status": NOT_ENOUGH_HISTORY,
            "reason": reasons,
            "mean_abs_error_c": None,
            "predicted_violation_minutes": None,
            "observed_violation_minutes": None,
        }

    def total(name: str) -> float | None:
        found = [getattr(z, name) for z in compared if getattr(z, name) is not None]
        return sum(found) if found else None

    return {
        "status": COMPARED,
        "reason": f"{len(compared)} of {len(zones)} zones compared",
        "mean_abs_error_c": sum(z.mean_abs_error_c or 0.0 for z in compared) / len(compared),
        "predicted_violation_minutes": total("predicted_violation_minutes"),
        "observed_violation_minutes": total("observed_violation_minutes"),
    }
