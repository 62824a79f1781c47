import json
from datetime import timedelta

import numpy as np
import pytest

from graphtwin.errors import InputError
from graphtwin.prediction.backtest import backtest
from graphtwin.prediction.forecast import (
    FittedModel,
    InsufficientHistoryError,
    fit,
    predict,
    predict_many,
)
from graphtwin.prediction.kinds import Family, PointKind
from graphtwin.prediction.series import prepare
from tests.prediction.conftest import DAY, STEP, at_step, daily_with_noise, grid_times

ZONE = PointKind.ZONE_TEMPERATURE
HOUR, FULL_DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture(scope="module")
def noisy():
    """28 days: a daily cycle plus AR(1) noise (phi 0.8, innovations 0.1 K)."""
    values = daily_with_noise(28, sigma=0.1, seed=7, phi=0.8)
    return prepare(grid_times(values.size), values, step=STEP)


@pytest.fixture(scope="module")
def model(noisy):
    return fit(noisy, kind=ZONE, now=at_step(14 * DAY - 1))


def test_too_little_history_says_how_much_is_needed_and_how_much_there_is():
    values = daily_with_noise(2, sigma=0.1, seed=1)
    series = prepare(grid_times(values.size), values, step=STEP)
    with pytest.raises(InsufficientHistoryError) as caught:
        fit(series, kind=ZONE, now=at_step(values.size), entity="urn:zone-1")
    error = caught.value
    assert isinstance(error, InputError)
    assert error.needed == timedelta(days=3)
    assert error.available == timedelta(days=2)
    assert "urn:zone-1" in str(error) and "2 days of values, 3 days needed" in str(error)


def test_the_model_is_trained_only_on_values_up_to_now(noisy, model):
    assert model.trained_to == at_step(14 * DAY - 1)
    assert model.trained_from == at_step(0)
    assert model.samples == 14 * DAY


def test_interval_bounds_are_ordered_at_every_step(noisy, model):
    forecast = predict(model, noisy.until(model.trained_to), horizon=FULL_DAY, step=STEP)
    assert forecast.mean.size == DAY
    stacked = np.stack([forecast.lo95, forecast.lo90, forecast.lo80,
                        forecast.hi80, forecast.hi90, forecast.hi95])  # fmt: skip
    assert (np.diff(stacked, axis=0) >= 0).all()
    assert (forecast.hi95 - forecast.lo95 > forecast.hi80 - forecast.lo80).all()
    assert forecast.times[0] == np.datetime64(
        model.trained_to.replace(tzinfo=None)
    ) + np.timedelta64(15, "m")


def test_the_90_percent_interval_covers_about_90_percent_of_new_values(noisy):
    report = backtest([noisy], [ZONE], start=at_step(14 * DAY), end=at_step(28 * DAY - 1))
    for lead in (HOUR, FULL_DAY):
        coverage = report.score(0, lead).coverage
        assert 0.85 <= coverage[0.9] <= 0.95, (lead, coverage)
        assert coverage[0.8] < coverage[0.9] < coverage[0.95]


def test_the_correction_beats_the_seasonal_naive_forecast_an_hour_ahead(noisy):
    report = backtest([noisy], [ZONE], start=at_step(14 * DAY), end=at_step(28 * DAY - 1))
    # AR(1) noise, phi 0.8 per 15 min: the ideal forecast's MASE an hour ahead is about 0.65
    assert report.score(0, HOUR).mase < 0.8
    assert report.score(0, FULL_DAY).mase < 1.0


def test_the_seasonal_naive_forecast_scores_a_mase_of_exactly_one(noisy):
    report = backtest(
        [noisy], [ZONE], start=at_step(14 * DAY), end=at_step(21 * DAY),
        family=Family.SEASONAL_NAIVE,
    )  # fmt: skip
    for lead in (HOUR, FULL_DAY):
        assert report.score(0, lead).mase == pytest.approx(1.0, abs=1e-12)


def test_a_fitted_model_survives_a_json_round_trip_and_forecasts_the_same(noisy, model):
    again = FittedModel.from_record(json.loads(json.dumps(model.to_record())))
    assert again == model
    history = noisy.until(model.trained_to)
    first = predict(model, history, horizon=timedelta(hours=6), step=HOUR)
    second = predict(again, history, horizon=timedelta(hours=6), step=HOUR)
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.hi95, second.hi95)


def test_a_record_of_another_version_is_refused(model):
    record = model.to_record() | {"version": 99}
    with pytest.raises(InputError, match="version 99"):
        FittedModel.from_record(record)


def test_a_coarser_forecast_step_takes_every_nth_model_step(noisy, model):
    history = noisy.until(model.trained_to)
    fine = predict(model, history, horizon=FULL_DAY, step=STEP)
    coarse = predict(model, history, horizon=FULL_DAY, step=HOUR)
    assert coarse.mean.size == 24
    np.testing.assert_allclose(coarse.mean, fine.mean[3::4])


def test_a_forecast_step_that_is_not_a_multiple_of_the_model_step_is_refused(noisy, model):
    with pytest.raises(InputError, match="whole number"):
        predict(model, noisy, horizon=FULL_DAY, step=timedelta(minutes=20))


def test_a_running_energy_counter_is_forecast_as_usage_per_step():
    slot = np.arange(14 * DAY) % DAY
    usage = 1000.0 + 500.0 * ((slot >= 32) & (slot < 72))  # J per step, more by day
    counter = np.cumsum(usage)
    series = prepare(grid_times(counter.size), counter, step=STEP)
    model = fit(series, kind=PointKind.METER, now=at_step(counter.size))
    assert model.counter
    forecast = predict(model, series, horizon=FULL_DAY, step=STEP)
    expected = usage[:DAY]  # the next day's usage, step by step (14 whole days before)
    assert np.abs(forecast.mean - expected).max() < 1.0


def test_predict_many_answers_each_point_and_names_too_little_history(noisy, model):
    short = prepare(grid_times(3), [np.nan, np.nan, np.nan], step=STEP)
    history = noisy.until(model.trained_to)
    results = predict_many([model, model], [history, short], horizon=HOUR, step=STEP)
    assert results[0].mean.size == 4
    assert isinstance(results[1], InsufficientHistoryError)


def test_a_grid_step_that_does_not_divide_a_day_is_refused():
    values = daily_with_noise(4, sigma=0.1, seed=2)
    series = prepare(grid_times(values.size), values, step=timedelta(minutes=7))
    with pytest.raises(InputError, match="must divide a day"):
        fit(series, kind=ZONE, now=at_step(values.size))


def test_a_backtest_skips_and_names_a_point_with_too_little_history(noisy):
    short = noisy.between(at_step(12 * DAY), at_step(16 * DAY))
    report = backtest([noisy, short], [ZONE, ZONE], start=at_step(14 * DAY), end=at_step(15 * DAY))
    assert list(report.skipped) == [1]
    assert "needed" in report.skipped[1]
    assert {s.point for s in report.scores} == {0}
