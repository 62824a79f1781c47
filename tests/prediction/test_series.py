from datetime import timedelta

import numpy as np
import pytest

from graphtwin.errors import InputError
from graphtwin.prediction.series import prepare
from tests.prediction.conftest import STEP, grid_times


def test_nan_and_infinite_samples_are_dropped_and_counted():
    values = np.array([1.0, np.nan, 3.0, np.inf, 5.0, -np.inf])
    series = prepare(grid_times(6), values, step=STEP)
    assert series.nan_count == 3
    assert series.samples == 3


def test_a_short_gap_is_interpolated_and_counted_as_filled():
    values = np.array([0.0, np.nan, np.nan, 3.0])
    series = prepare(grid_times(4), values, step=STEP)
    assert series.values.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert (series.filled_steps, series.gap_count, series.gap_steps) == (2, 0, 0)


def test_a_long_gap_stays_nan_and_is_counted():
    times = np.concatenate((grid_times(3), grid_times(3) + np.timedelta64(10 * 15, "m")))
    series = prepare(times, np.arange(6.0), step=STEP, max_fill=4)
    assert len(series) == 13
    assert (series.gap_count, series.gap_steps, series.filled_steps) == (1, 7, 0)
    assert np.isnan(series.values[3:10]).all()
    assert series.finite == 6


def test_samples_within_one_step_are_averaged_onto_its_end():
    times = np.array(["2025-07-07T00:01", "2025-07-07T00:14", "2025-07-07T00:20"], "datetime64[ns]")
    series = prepare(times, [1.0, 3.0, 10.0], step=STEP)
    assert series.values.tolist() == [2.0, 10.0]
    assert str(series.times[0]) == "2025-07-07T00:15:00.000000000"


def test_unsorted_samples_are_put_in_order():
    times = grid_times(4)[::-1]
    series = prepare(times, [4.0, 3.0, 2.0, 1.0], step=STEP)
    assert series.values.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_times_and_values_of_different_lengths_are_refused():
    with pytest.raises(InputError, match="3 times but 2 values"):
        prepare(grid_times(3), [1.0, 2.0], step=STEP)


def test_a_step_that_is_not_positive_is_refused():
    with pytest.raises(InputError, match="step must be positive"):
        prepare(grid_times(3), [1.0, 2.0, 3.0], step=timedelta(0))


def test_only_nan_gives_an_empty_series_that_says_so():
    series = prepare(grid_times(3), [np.nan] * 3, step=STEP)
    assert len(series) == 0 and series.nan_count == 3 and series.finite == 0
