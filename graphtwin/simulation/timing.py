"""Constraints over time: when a simulated trajectory first leaves a node's effective range, for
how long, how far, and why the limit holds there (pure code, numpy).

`violation_spans` checks one trajectory (one node, one property) against the node's effective
constraints from the reasoning (`graphtwin.reasoning.constraints.combine`):

- only `range` constraints of that node and of the property the trajectory is about count; a
  simulated `air_temperature` is checked against `zone_air_temperature`, the property the
  reasoning gives a zone's air temperature (what a `Zone_Air_Temperature_Sensor` measures, see
  `graphtwin.reasoning.observations`), through `constraint_property`;
- values are converted to the constraint's unit (a trajectory in degC against a limit in degF);
  a constraint without a known unit is compared as is, a unit that cannot be converted is a
  `ConstraintUnitError`;
- hard bounds (`min`/`max`) and soft targets (`target_min`/`target_max`) each give their own
  span, with severity `hard` or `soft` (a soft span covers the hard one on the same side: the
  target lies inside the limit);
- the trajectory is taken as linear between steps: `first_at` is the first crossing,
  interpolated between the two steps around it (the first time when it starts outside),
  `duration_s` is the total time outside, interpolated at each crossing, `worst` is the value
  furthest outside (in the constraint's unit); touching a bound is not breaking it;
- a bound set by a conditional constraint (`when: occupied`) counts only at occupied steps when
  `occupied` is given (interpolation only within runs of occupied steps: an occupied run that
  starts outside starts the span at its first step); without `occupied` every step counts and
  the span says `condition_assumed=True`. A bound a conditional group merely inherits from an
  unconditional constraint is reported once, by the unconditional group;
- `because` is the because chain of the nearest constraint that sets the broken bound, and
  `constraint_ids` names every constraint that sets it.

Example: a room warming from 24 to 28 degC over an hour against a hard max of 26 degC breaks it
half way, at 00:30, and stays above it for 1800 s:

    >>> from datetime import datetime, timedelta
    >>> from graphtwin.reasoning.constraints import Contribution, combine
    >>> rule = Contribution("c1", "max", ZONE_AIR_TEMPERATURE, None, 26.0, "degC", "hard",
    ...                     "range", None, None, "zone-1")
    >>> t0 = datetime(2026, 7, 1)
    >>> [span] = violation_spans(combine([rule]), node="zone-1", property="air_temperature",
    ...     unit="degC", times=[t0, t0 + timedelta(hours=1)], values=[24.0, 28.0])
    >>> span.first_at.time(), span.duration_s, span.worst
    (datetime.time(0, 30), 1800.0, 28.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

from graphtwin.errors import IncompatibleUnitsError
from graphtwin.reasoning.because import describe_chain
from graphtwin.reasoning.constraints import (
    HARD,
    RANGE,
    SOFT,
    EffectiveConstraint,
    Side,
)
from graphtwin.simulation.errors import ConstraintUnitError, InvalidTrajectoryError
from graphtwin.simulation.result import Trajectory, ViolationSpan
from graphtwin.units import convert

ZONE_AIR_TEMPERATURE: Final = "zone_air_temperature"
"""The property the reasoning gives a zone's air temperature (a `Zone_Air_Temperature_Sensor`
measures it; constraints on room temperature name it)."""

CONSTRAINT_PROPERTY: Final[Mapping[str, str]] = {"air_temperature": ZONE_AIR_TEMPERATURE}
"""A trajectory's property -> the property its constraints name (others are the same)."""

OCCUPIED: Final = "occupied"
UNOCCUPIED: Final = "unoccupied"

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def constraint_property(trajectory_property: str) -> str:
    """The property constraints name for a simulated property (`air_temperature` ->
    `zone_air_temperature`); any other name is its own."""
    return CONSTRAINT_PROPERTY.get(trajectory_property, trajectory_property)


def violation_spans(
    effective: Sequence[EffectiveConstraint],
    *,
    node: str,
    property: str,
    unit: str | None,
    times: Sequence[datetime],
    values: Sequence[float],
    occupied: Sequence[bool] | None = None,
) -> list[ViolationSpan]:
    """Every effective bound of `node`'s `property` the trajectory breaks, one span per bound,
    the first broken first (hard before soft at the same time). `unit` None: the values are
    taken to be in each constraint's unit.

    Raises `InvalidTrajectoryError` when `times`, `values` and `occupied` differ in length,
    times do not strictly increase or a value is not finite; `ConstraintUnitError` when the
    values cannot be converted to a constraint's unit.
    """
    seconds = _seconds(node, times, values, occupied)
    if seconds.size == 0:
        return []
    wanted = constraint_property(property)
    spans: list[ViolationSpan] = []
    for eff in effective:
        if eff.node != node or eff.constraint_type != RANGE or eff.property != wanted:
            continue
        compared = _in_unit(eff, values, unit)
        mask, assumed = _mask(eff.when, occupied, seconds.size)
        for side, hard, soft in (
            ("min", eff.min, eff.target_min),
            ("max", eff.max, eff.target_max),
        ):
            for bound in (hard, soft if soft is not None and soft.severity == SOFT else None):
                if bound is None:
                    continue
                conditional = any(c.when for c in eff.setting(bound))
                if eff.when is not None and not conditional:
                    continue  # an unconditional bound: its own group reports it over all steps
                span = _outside(seconds, compared, mask, bound.value, side)
                if span is None:
                    continue
                first_s, duration_s, worst = span
                setting = eff.setting(bound)
                spans.append(
                    ViolationSpan(
                        node=node,
                        property=eff.property,
                        bound=side,
                        limit=bound.value,
                        unit=eff.unit or unit,
                        severity=bound.severity,
                        when=eff.when if conditional else None,
                        constraint_ids=bound.constraint_ids,
                        first_at=times[0] + timedelta(seconds=first_s),
                        duration_s=duration_s,
                        worst=worst,
                        because=describe_chain(setting[0].because) if setting else "",
                        condition_assumed=assumed and conditional,
                    )
                )
    return sorted(spans, key=_order)


def trajectory_spans(
    effective: Sequence[EffectiveConstraint],
    trajectory: Trajectory,
    *,
    occupied: Sequence[bool] | None = None,
) -> list[ViolationSpan]:
    """`violation_spans` of a simulated `Trajectory` (its central values)."""
    return violation_spans(
        effective,
        node=trajectory.node,
        property=trajectory.property,
        unit=trajectory.unit,
        times=trajectory.times,
        values=trajectory.values,
        occupied=occupied,
    )


def first_violation(
    spans: Sequence[ViolationSpan], *, severity: str | None = None
) -> ViolationSpan | None:
    """The span that starts first (hard before soft at the same time), of `severity` when
    given; None when there is none."""
    chosen = [s for s in spans if severity is None or s.severity == severity]
    return min(chosen, key=_order, default=None)


def violation_hours(spans: Sequence[ViolationSpan], *, severity: str | None = None) -> float:
    """Hours outside the limits, summed over nodes: per node, property and side (too cold, too
    warm) the longest span counts, so a time above both a soft target and a hard limit is
    counted once. Exact when the spans of one side nest (a soft target inside a hard limit, an
    unconditional bound); a lower bound when conditional bounds on one side break at different
    times."""
    longest: dict[tuple[str, str, str], float] = {}
    for s in spans:
        if severity is None or s.severity == severity:
            key = (s.node, s.property, s.bound)
            longest[key] = max(longest.get(key, 0.0), s.duration_s)
    return sum(longest.values()) / 3600.0


def _order(span: ViolationSpan) -> tuple[datetime, int, str, tuple[str, ...]]:
    return (span.first_at, 0 if span.severity == HARD else 1, span.bound, span.constraint_ids)


def _seconds(
    node: str,
    times: Sequence[datetime],
    values: Sequence[float],
    occupied: Sequence[bool] | None,
) -> Floats:
    """Seconds since the first step, after checking the trajectory's shape."""
    if len(times) != len(values):
        raise InvalidTrajectoryError(
            f"{len(times)} times but {len(values)} values", node=node, field="values"
        )
    if occupied is not None and len(occupied) != len(times):
        raise InvalidTrajectoryError(
            f"{len(times)} times but {len(occupied)} occupancy flags", node=node, field="occupied"
        )
    bad = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
    if bad is not None:
        raise InvalidTrajectoryError(
            f"value {values[bad]!r} at step {bad} is not a finite number", node=node, field="values"
        )
    if not times:
        return np.zeros(0)
    seconds = np.array([(t - times[0]).total_seconds() for t in times])
    if np.any(np.diff(seconds) <= 0):
        step = int(np.argmax(np.diff(seconds) <= 0)) + 1
        raise InvalidTrajectoryError(
            f"times must strictly increase: step {step} ({times[step].isoformat()}) is not "
            f"after step {step - 1}",
            node=node,
            field="times",
        )
    return seconds


def _in_unit(eff: EffectiveConstraint, values: Sequence[float], unit: str | None) -> Floats:
    """The values in the constraint's unit (as they are when either unit is not stated)."""
    raw = np.asarray(values, dtype=float)
    if unit is None or eff.unit is None or unit == eff.unit:
        return raw
    try:
        return np.array([convert(v, unit, eff.unit) for v in raw])
    except IncompatibleUnitsError as exc:
        ids = tuple(c.constraint_id for c in eff.contributions)
        raise ConstraintUnitError(
            node=eff.node,
            property=eff.property,
            unit=unit,
            constraint_unit=eff.unit,
            constraint_ids=ids,
            reason=exc.reason,
        ) from exc


def _mask(when: str | None, occupied: Sequence[bool] | None, n: int) -> tuple[Mask, bool]:
    """The steps a constraint under `when` holds at, and whether the condition was assumed."""
    if when is None:
        return np.ones(n, dtype=bool), False
    if occupied is None or when not in (OCCUPIED, UNOCCUPIED):
        return np.ones(n, dtype=bool), True
    flags = np.asarray(occupied, dtype=bool)
    return (flags if when == OCCUPIED else ~flags), False


def _outside(
    seconds: Floats, values: Floats, mask: Mask, limit: float, side: Side
) -> tuple[float, float, float] | None:
    """(first crossing s, seconds outside, worst value) of the values on the wrong side of
    `limit` at the steps in `mask`, linear between consecutive masked steps; None when never."""
    excess = values - limit if side == "max" else limit - values
    touching = np.isclose(values, limit, rtol=1e-9, atol=1e-9)
    excess = np.where(touching, np.minimum(excess, 0.0), excess)
    out = mask & (excess > 0)
    if not out.any():
        return None
    a, b, dt = excess[:-1], excess[1:], np.diff(seconds)
    both = mask[:-1] & mask[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        entering = both & (a <= 0) & (b > 0)
        leaving = both & (a > 0) & (b <= 0)
        outside = np.select(
            [both & (a > 0) & (b > 0), leaving, entering],
            [dt, dt * a / (a - b), dt * b / (b - a)],
            default=0.0,
        )
        crossings = seconds[:-1][entering] + (dt * -a / (b - a))[entering]
    first = min(float(seconds[out].min()), float(crossings.min()) if crossings.size else math.inf)
    worst = float(values[out].max() if side == "max" else values[out].min())
    return first, float(outside.sum()), worst
