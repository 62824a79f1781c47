"""A forecast asked for with a step off the models' grid, or a horizon too short or too long, is
an error naming the argument, before anything is read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graphtwin.config import Settings
from graphtwin.errors import InputError
from graphtwin.prediction.forecast_point import check_request

MINUTES = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("horizon", "step", "entity", "words"),
    [
        (timedelta(hours=6), 10 * MINUTES, "step", "whole number of 15m"),
        (timedelta(hours=6), 5 * MINUTES, "step", "got 5m"),
        (15 * MINUTES, 30 * MINUTES, "horizon", "shorter than the step 30m"),
        (timedelta(days=8), 15 * MINUTES, "horizon", "longer than the limit 7d"),
    ],
)
def test_a_request_out_of_bounds_is_an_error_naming_the_argument(horizon, step, entity, words):
    with pytest.raises(InputError) as caught:
        check_request(horizon, step, Settings())
    assert caught.value.entity == entity
    assert words in caught.value.reason


def test_too_many_steps_name_the_step_and_the_setting():
    settings = Settings(forecast_max_steps=10)
    with pytest.raises(InputError) as caught:
        check_request(timedelta(hours=3), 15 * MINUTES, settings)
    assert caught.value.entity == "step" and "GRAPHTWIN_FORECAST_MAX_STEPS" in caught.value.reason
    check_request(timedelta(hours=2, minutes=30), 15 * MINUTES, settings)  # 10 steps: fine
