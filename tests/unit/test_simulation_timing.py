"""Constraints over time: the first crossing and the time outside, interpolated between steps,
in the constraint's unit, hard and soft, under an occupancy condition, with the because chain."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.reasoning.because import Step, describe_chain
from graphtwin.reasoning.constraints import Contribution, combine
from graphtwin.simulation.errors import ConstraintUnitError, InvalidTrajectoryError
from graphtwin.simulation.result import Trajectory
from graphtwin.simulation.timing import (
    ZONE_AIR_TEMPERATURE,
    first_violation,
    trajectory_spans,
    violation_hours,
    violation_spans,
)
from graphtwin.units import convert

ZONE = "zone-1"
T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
STEP_S = 300
STEPS = 49  # 4 h at 5-minute steps
TIMES = [T0 + timedelta(seconds=i * STEP_S) for i in range(STEPS)]
HOURS = [i * STEP_S / 3600 for i in range(STEPS)]


def rule(
    cid: str,
    low: float | None = None,
    high: float | None = None,
    unit: str = "degC",
    *,
    severity: str = "hard",
    when: str | None = None,
    hops: tuple[str, ...] = ("building",),
    node: str = ZONE,
    prop: str = ZONE_AIR_TEMPERATURE,
) -> Contribution:
    """A range constraint of regulation `reg` that applies to the first hop (to `node` when there
    are none), contained down to `node`."""
    path = [*hops, node]
    steps = (
        Step("reg", "HAS_PART", cid, from_name="EN 16798-1"),
        Step(cid, "APPLIES_TO", path[0], sources=("rules",)),
        *(Step(a, "CONTAINS", b) for a, b in itertools.pairwise(path)),
    )
    return Contribution(
        constraint_id=cid,
        name=cid,
        property=prop,
        min=low,
        max=high,
        unit=unit,
        severity=severity,
        constraint_type="range",
        when=when,
        regulation="reg",
        node=node,
        because=steps,
    )


def spans(contributions, values, *, unit="degC", occupied=None, node=ZONE):
    return violation_spans(
        combine(contributions),
        node=node,
        property="air_temperature",
        unit=unit,
        times=TIMES,
        values=values,
        occupied=occupied,
    )


def ramp(start: float, per_hour: float) -> list[float]:
    return [start + per_hour * h for h in HOURS]


def at_hours(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_ramp_crossing_26_degc_gives_the_interpolated_time_to_the_second_and_the_duration():
    start, slope, limit = 22.0, 1.7, 26.0  # crosses between two steps
    crossing_h = (limit - start) / slope

    [span] = spans([rule("c-max", high=limit)], ramp(start, slope))

    assert abs((span.first_at - at_hours(crossing_h)).total_seconds()) < 1.0
    assert span.duration_s == pytest.approx((HOURS[-1] - crossing_h) * 3600, abs=1.0)
    assert span.worst == pytest.approx(start + slope * HOURS[-1])
    assert (span.bound, span.limit, span.severity, span.unit) == ("max", limit, "hard", "degC")
    assert span.property == ZONE_AIR_TEMPERATURE
    assert span.constraint_ids == ("c-max",)
    assert not span.condition_assumed


def test_a_ramp_that_comes_back_is_outside_only_between_its_two_crossings():
    peak, slope, limit = 27.5, 1.3, 26.0
    values = [peak - slope * abs(h - 2.0) for h in HOURS]
    half_width_h = (peak - limit) / slope

    [span] = spans([rule("c-max", high=limit)], values)

    assert abs((span.first_at - at_hours(2.0 - half_width_h)).total_seconds()) < 1.0
    assert span.duration_s == pytest.approx(2 * half_width_h * 3600, abs=1.0)
    assert span.worst == pytest.approx(peak)


def test_a_trajectory_that_starts_outside_breaks_the_bound_at_the_first_step():
    [span] = spans([rule("c-min", low=20.0)], ramp(18.0, 1.0))

    assert span.first_at == T0
    assert span.bound == "min"
    assert span.duration_s == pytest.approx(2 * 3600, abs=1.0)
    assert span.worst == pytest.approx(18.0)


@pytest.mark.parametrize("unit", ["degF", "K"])
def test_a_limit_in_another_unit_is_checked_in_that_unit(unit):
    start, slope = 22.0, 1.7
    in_celsius = spans([rule("c-max", high=26.0)], ramp(start, slope))[0]

    [span] = spans([rule("c-max", high=convert(26.0, "degC", unit), unit=unit)], ramp(start, slope))

    assert span.unit == unit
    assert span.limit == pytest.approx(convert(26.0, "degC", unit))
    assert abs((span.first_at - in_celsius.first_at).total_seconds()) < 1.0
    assert span.duration_s == pytest.approx(in_celsius.duration_s, abs=1.0)
    assert span.worst == pytest.approx(convert(in_celsius.worst, "degC", unit))


def test_a_soft_target_and_a_hard_limit_each_give_a_span_with_their_severity():
    start, slope = 22.0, 1.7
    values = ramp(start, slope)

    soft, hard = spans(
        [rule("c-hard", high=28.0), rule("c-soft", high=26.0, severity="soft")], values
    )

    assert (soft.severity, soft.constraint_ids) == ("soft", ("c-soft",))
    assert (hard.severity, hard.constraint_ids) == ("hard", ("c-hard",))
    assert soft.first_at < hard.first_at
    assert abs((hard.first_at - at_hours((28.0 - start) / slope)).total_seconds()) < 1.0
    assert soft.duration_s > hard.duration_s
    assert first_violation([hard, soft]) is soft
    assert first_violation([hard, soft], severity="hard") is hard
    # above the target and the limit at once counts once
    assert violation_hours([soft, hard]) == pytest.approx(soft.duration_s / 3600)


def test_only_a_soft_target_broken_gives_only_a_soft_span():
    found = spans(
        [rule("c-hard", high=30.0), rule("c-soft", high=26.0, severity="soft")], ramp(22.0, 1.7)
    )

    assert [s.severity for s in found] == ["soft"]


def test_an_occupied_limit_counts_only_at_occupied_steps():
    occupied = [1.0 <= h <= 3.0 for h in HOURS]
    values = ramp(24.0, 1.0)  # above 25 from 1 h, above 28 never
    rules = [rule("c-always", high=28.0), rule("c-occupied", high=25.0, when="occupied")]

    [span] = spans(rules, values, occupied=occupied)

    assert (span.when, span.constraint_ids, span.condition_assumed) == (
        "occupied",
        ("c-occupied",),
        False,
    )
    assert span.first_at == at_hours(1.0)
    assert span.duration_s == pytest.approx(2 * 3600, abs=1.0)
    assert span.worst == pytest.approx(values[HOURS.index(3.0)])


def test_an_occupied_run_that_starts_outside_starts_the_span_at_its_first_step():
    occupied = [h >= 2.0 for h in HOURS]
    [span] = spans(
        [rule("c-occupied", high=25.0, when="occupied")], ramp(24.0, 1.0), occupied=occupied
    )

    assert span.first_at == at_hours(2.0)
    assert span.duration_s == pytest.approx(2 * 3600, abs=1.0)


def test_without_occupancy_an_occupied_limit_is_checked_at_every_step_and_says_so():
    rules = [rule("c-always", high=28.0), rule("c-occupied", high=25.0, when="occupied")]

    [span] = spans(rules, ramp(24.0, 1.0))

    assert span.condition_assumed
    assert span.first_at == at_hours(1.0)
    assert span.duration_s == pytest.approx(3 * 3600, abs=1.0)


def test_an_unconditional_limit_is_reported_once_not_again_for_the_occupied_group():
    rules = [rule("c-always", high=26.0), rule("c-occupied", low=20.0, when="occupied")]

    found = spans(rules, ramp(22.0, 1.7), occupied=[True] * STEPS)

    assert [(s.constraint_ids, s.when) for s in found] == [(("c-always",), None)]


def test_a_trajectory_that_never_crosses_gives_nothing():
    assert (
        spans([rule("c", low=20.0, high=26.0), rule("s", 21, 25, severity="soft")], [23.0] * STEPS)
        == []
    )


def test_touching_the_limit_is_not_breaking_it():
    values = [26.0 - abs(h - 2.0) for h in HOURS]  # peaks exactly at 26

    assert spans([rule("c-max", high=26.0)], values) == []


def test_the_because_chain_comes_from_the_nearest_constraint_that_sets_the_bound():
    far = rule("c-building", high=26.0, hops=("campus", "building"))
    near = rule("c-room", high=26.0, hops=())
    trajectory = Trajectory(
        node=ZONE,
        property="air_temperature",
        unit="degC",
        times=tuple(TIMES),
        values=tuple(ramp(22.0, 1.7)),
        lower=tuple(ramp(21.0, 1.7)),
        upper=tuple(ramp(23.0, 1.7)),
    )

    [span] = trajectory_spans(combine([far, near]), trajectory)

    assert span.constraint_ids == ("c-room", "c-building")
    assert span.because == describe_chain(near.because)
    assert span.because.startswith("EN 16798-1 -> has part c-room -> applies to")


def test_constraints_of_other_nodes_and_properties_are_not_checked():
    rules = [
        rule("c-other", high=20.0, node="zone-2"),
        rule("c-co2", high=10.0, prop="zone_air_co2_concentration", unit="ppm"),
    ]
    assert spans(rules, ramp(22.0, 1.7)) == []


def test_a_trajectory_of_mismatched_lengths_is_refused_naming_the_field():
    with pytest.raises(InvalidTrajectoryError) as caught:
        spans([rule("c", high=26.0)], [22.0] * (STEPS - 1))

    assert caught.value.field == "values"
    assert caught.value.node == ZONE


def test_a_value_that_cannot_be_converted_to_the_limits_unit_is_refused():
    with pytest.raises(ConstraintUnitError, match="c-flow"):
        violation_spans(
            combine([rule("c-flow", high=2.0, unit="m3/s", prop="supply_air_flow")]),
            node=ZONE,
            property="supply_air_flow",
            unit="degC",
            times=TIMES,
            values=ramp(22.0, 1.7),
        )
