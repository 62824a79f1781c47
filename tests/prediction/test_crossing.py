from datetime import timedelta

import numpy as np
import pytest
from scipy.stats import norm

from graphtwin.drift.rules import Bounds, Thresholds
from graphtwin.prediction.crossing import first_crossing, threshold_crossing
from graphtwin.prediction.forecast import Forecast, fit, predict
from graphtwin.prediction.kinds import PointKind
from graphtwin.prediction.series import prepare
from tests.prediction.conftest import DAY, STEP, at_step, grid_times

Z90 = norm.ppf(0.95)


def _forecast(mean: np.ndarray, sigma: float) -> Forecast:
    times = np.datetime64("2025-07-08T12:00") + np.arange(mean.size) * np.timedelta64(15, "m")
    half = {z: z * sigma for z in (norm.ppf(0.9), Z90, norm.ppf(0.975))}
    (h80, h90, h95) = half.values()
    return Forecast("m", None, times, mean, mean - h80, mean + h80, mean - h90, mean + h90,
                    mean - h95, mean + h95)  # fmt: skip


def test_a_rising_forecast_crosses_at_the_first_step_its_mean_passes_the_bound():
    forecast = _forecast(np.linspace(20.0, 30.0, 11), sigma=0.5)  # +1 K a step
    crossing = first_crossing(forecast, Bounds(high=25.5))
    assert crossing is not None and crossing.side == "high"
    assert crossing.at == forecast.times[6]  # 26.0 is the first mean above 25.5
    # the largest per-step probability: the last step, 4.5 sigma above the bound
    assert crossing.probability == pytest.approx(norm.sf((25.5 - 30.0) / 0.5))
    assert crossing.probabilities[5] == pytest.approx(norm.sf((25.5 - 25.0) / 0.5))


def test_a_mean_that_stays_inside_gives_the_chance_it_still_crosses():
    forecast = _forecast(np.full(8, 24.0), sigma=0.5)
    crossing = first_crossing(forecast, Bounds(low=18.0, high=25.0))
    assert crossing is not None and crossing.side == "high"
    assert crossing.probability == pytest.approx(norm.sf(2.0))  # 1 K = 2 sigma above


def test_steps_outside_the_rule_s_hours_do_not_count():
    forecast = _forecast(np.linspace(20.0, 30.0, 11), sigma=0.5)
    active = np.arange(11) < 4  # the rule holds only for the first hour
    crossing = first_crossing(forecast, Bounds(high=25.5), active=active)
    assert crossing is not None
    assert crossing.probability == pytest.approx(norm.sf((25.5 - 23.0) / 0.5))


def test_a_bound_far_from_the_forecast_gives_no_crossing():
    forecast = _forecast(np.full(8, 24.0), sigma=0.1)
    assert first_crossing(forecast, Bounds(high=40.0)) is None


def test_the_most_severe_likely_crossing_of_a_rule_is_chosen():
    forecast = _forecast(np.linspace(20.0, 30.0, 11), sigma=0.5)
    rule = Thresholds(warning=Bounds(high=26.0), critical=Bounds(high=29.0))
    crossing = threshold_crossing(forecast, rule, min_probability=0.9)
    assert crossing is not None and crossing.severity == "critical"
    assert crossing.at == forecast.times[10]
    assert (
        threshold_crossing(forecast, Thresholds(warning=Bounds(high=35.0)), min_probability=0.5)
        is None
    )


def test_a_fitted_forecast_of_a_warming_trend_warns_of_the_crossing_in_time():
    steps = 9 * DAY + 72  # to a Wednesday evening, the daily cycle rising: one day type
    rng = np.random.default_rng(3)
    trend = 0.004 * np.arange(steps)  # +0.38 K a day
    values = 21.0 + np.sin(np.arange(steps) / DAY * 2 * np.pi) + trend + rng.normal(0, 0.02, steps)
    series = prepare(grid_times(steps), values, step=STEP)
    model = fit(series, kind=PointKind.ZONE_TEMPERATURE, now=at_step(steps))
    forecast = predict(model, series, horizon=timedelta(hours=12), step=STEP)
    future = np.arange(steps, steps + 48)
    truth = 21.0 + np.sin(future / DAY * 2 * np.pi) + 0.004 * future
    bound = float(truth[0] + 0.5)
    expected = int(np.argmax(truth > bound))
    crossing = first_crossing(forecast, Bounds(high=bound))
    assert crossing is not None and crossing.probability > 0.9
    assert abs(int((crossing.at - forecast.times[0]) / np.timedelta64(15, "m")) - expected) <= 2
