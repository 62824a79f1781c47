"""An accepted action's prediction against the history since: the predicted summary per zone,
the comparison over the elapsed steps, and "not enough history yet" instead of a made-up
number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.simulation.decision_outcome import (
    COMPARED,
    HOLD,
    MIN_STEPS,
    NO_POINT,
    NOT_ENOUGH_HISTORY,
    Limits,
    backtest_zone,
    overall,
    zone_limits,
    zone_prediction,
)

T0 = datetime(2026, 7, 8, 9, tzinfo=UTC)
STEP = timedelta(minutes=5)
TIMES = [T0 + STEP * i for i in range(12)]  # one hour
PREDICTED = [24.0 + 0.25 * i for i in range(12)]  # 24.0 .. 26.75


def prediction(limits: Limits = Limits(20.0, 26.0), point: str | None = "z1.t"):  # noqa: B008
    return zone_prediction("z1", point, PREDICTED, 300.0, limits)


def test_the_prediction_summarises_the_zone_and_counts_minutes_outside_its_bounds():
    p = prediction()
    assert (p.min_c, p.max_c) == (24.0, 26.75)
    assert p.mean_c == pytest.approx(sum(PREDICTED) / 12)
    assert p.violation_minutes == 15.0  # 26.25, 26.5, 26.75 are above 26


def test_a_zone_without_a_known_bound_has_no_violation_minutes_rather_than_zero():
    assert prediction(Limits(None, None)).violation_minutes is None


def test_the_tightest_bounds_the_run_names_for_a_zone_are_its_limits():
    violations = [
        {"node": "z1", "bound": "max", "limit": 26.0},
        {"node": "z1", "bound": "max", "limit": 25.0},
        {"node": "z1", "bound": "min", "limit": 20.0},
        {"node": "z2", "bound": "min", "limit": 19.0},
    ]
    assert zone_limits(violations) == {"z1": Limits(20.0, 25.0), "z2": Limits(19.0, None)}


def test_observed_values_are_held_until_the_next_and_compared_on_the_elapsed_steps_only():
    observed = [(T0 - timedelta(minutes=2), 25.0), (T0 + timedelta(minutes=12), 27.0)]
    now = T0 + timedelta(minutes=20)  # steps 0..4 have passed
    b = backtest_zone(prediction(), TIMES, PREDICTED, observed, now=now)
    assert b.status == COMPARED and b.samples == 5
    assert b.observed_mean_c == pytest.approx((25.0 * 3 + 27.0 * 2) / 5)
    assert b.predicted_mean_c == pytest.approx(sum(PREDICTED[:5]) / 5)
    assert b.error_c == pytest.approx(b.observed_mean_c - b.predicted_mean_c)
    assert b.observed_violation_minutes == 10.0 and b.predicted_violation_minutes == 0.0


def test_too_few_observed_steps_is_not_enough_history_with_no_numbers():
    observed = [(T0 + timedelta(minutes=1), 25.0)]
    b = backtest_zone(prediction(), TIMES, PREDICTED, observed, now=T0 + STEP)
    assert b.status == NOT_ENOUGH_HISTORY and b.samples == 1
    assert f"at least {MIN_STEPS}" in b.reason and b.reason.startswith("not enough history yet")
    assert b.observed_mean_c is None and b.error_c is None


def test_a_value_older_than_the_hold_does_not_stand_for_the_zone():
    stale = [(T0 - HOLD - timedelta(minutes=1), 25.0)]
    b = backtest_zone(prediction(), TIMES, PREDICTED, stale, now=T0 + timedelta(hours=2))
    assert b.status == NOT_ENOUGH_HISTORY and b.samples == 0


def test_a_horizon_that_has_not_started_is_not_enough_history():
    b = backtest_zone(prediction(), TIMES, PREDICTED, [], now=T0 - timedelta(minutes=1))
    assert b.status == NOT_ENOUGH_HISTORY and "first simulated step is at" in b.reason


def test_a_zone_without_an_air_temperature_point_says_so():
    b = backtest_zone(prediction(point=None), TIMES, PREDICTED, [], now=T0 + HOLD)
    assert b.status == NO_POINT


def test_a_decision_is_compared_when_any_zone_is_and_sums_the_compared_zones_only():
    observed = [(T0, 25.0)]
    now = T0 + timedelta(minutes=30)
    good = backtest_zone(prediction(), TIMES, PREDICTED, observed, now=now)
    short = backtest_zone(prediction(), TIMES, PREDICTED, [], now=now)
    summary = overall([good, short])
    assert summary["status"] == COMPARED and summary["reason"] == "1 of 2 zones compared"
    assert summary["mean_abs_error_c"] == good.mean_abs_error_c
    assert overall([short])["status"] == NOT_ENOUGH_HISTORY
    assert overall([short])["mean_abs_error_c"] is None
