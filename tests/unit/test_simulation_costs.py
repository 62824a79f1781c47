"""Energy, cost and carbon of a variant: time-of-use prices read on the scenario's local clock,
periods across midnight and on chosen weekdays, heating and cooling both counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from graphtwin.simulation.costs import carbon_series, energy_cost_carbon, price_series
from graphtwin.simulation.tariff import Carbon, Tariff

DENVER = timezone(timedelta(hours=-7))
TUESDAY = datetime(2025, 7, 8, tzinfo=DENVER)
FRIDAY = datetime(2025, 7, 11, tzinfo=DENVER)


def steps(start: datetime, count: int, step: timedelta) -> list[datetime]:
    return [start + i * step for i in range(count)]


def tariff(default: float, *periods: dict) -> Tariff:
    return Tariff.model_validate({"currency": "USD", "default": default, "periods": periods})


def test_a_time_of_use_tariff_across_a_period_boundary_gives_the_exact_sum():
    off_peak, peak = 0.10, 0.30
    prices = tariff(off_peak, {"from": "08:00", "to": "20:00", "price": peak})
    times = steps(TUESDAY + timedelta(hours=7), 8, timedelta(minutes=15))  # 07:00 to 08:45
    power_w = np.full(8, 4000.0)  # 4 kW for 15 minutes: 1 kWh a step
    result = energy_cost_carbon(power_w, times, 900, prices, Carbon(), DENVER)
    assert result.kwh == pytest.approx(8.0)
    assert result.cost == pytest.approx(4 * 1.0 * off_peak + 4 * 1.0 * peak)
    assert result.kg_co2 == 0.0


def test_prices_follow_the_local_clock_of_the_start_not_utc():
    prices = tariff(0.10, {"from": "08:00", "to": "20:00", "price": 0.30})
    eight_local = TUESDAY + timedelta(hours=8)  # 15:00 UTC
    assert price_series(prices, [eight_local], DENVER).tolist() == [0.30]
    assert price_series(prices, [eight_local], UTC).tolist() == [0.30]
    seven_local = TUESDAY + timedelta(hours=7)  # 14:00 UTC: peak in UTC, off-peak in Denver
    assert price_series(prices, [seven_local], DENVER).tolist() == [0.10]
    assert price_series(prices, [seven_local], UTC).tolist() == [0.30]


def test_a_period_that_wraps_midnight_covers_both_sides_and_not_the_day():
    night = tariff(0.25, {"from": "22:00", "to": "06:00", "price": 0.05})
    hours = [21, 22, 23, 24 + 0, 24 + 5, 24 + 6]
    times = [TUESDAY + timedelta(hours=h) for h in hours]
    assert price_series(night, times, DENVER).tolist() == [0.25, 0.05, 0.05, 0.05, 0.05, 0.25]


def test_a_night_period_on_a_weekday_covers_the_morning_after_it():
    friday_night = tariff(0.25, {"from": "22:00", "to": "06:00", "price": 0.05, "days": ["fri"]})
    saturday_2am = FRIDAY + timedelta(days=1, hours=2)
    sunday_2am = FRIDAY + timedelta(days=2, hours=2)
    thursday_11pm = FRIDAY - timedelta(hours=1)
    times = [saturday_2am, sunday_2am, thursday_11pm, FRIDAY + timedelta(hours=2)]
    assert price_series(friday_night, times, DENVER).tolist() == [0.05, 0.25, 0.25, 0.25]


def test_weekday_periods_leave_the_weekend_at_the_default():
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    prices = tariff(0.1, {"from": "08:00", "to": "20:00", "price": 0.3, "days": weekdays})
    noon = timedelta(hours=12)
    times = [FRIDAY + noon, FRIDAY + timedelta(days=1) + noon, FRIDAY + timedelta(days=3) + noon]
    assert price_series(prices, times, DENVER).tolist() == [0.3, 0.1, 0.3]


def test_the_first_period_listed_wins_where_periods_overlap():
    prices = tariff(
        0.1,
        {"from": "17:00", "to": "19:00", "price": 0.5},
        {"from": "08:00", "to": "24:00", "price": 0.3},
    )
    times = [TUESDAY + timedelta(hours=h) for h in (7, 12, 18, 23)]
    assert price_series(prices, times, DENVER).tolist() == [0.1, 0.3, 0.5, 0.3]


def test_carbon_intensity_has_its_periods_and_weighs_each_steps_energy():
    carbon = Carbon.model_validate(
        {"default": 0.25, "periods": [{"from": "17:00", "to": "21:00", "value": 0.40}]}
    )
    times = steps(TUESDAY + timedelta(hours=16), 3, timedelta(hours=1))  # 16:00, 17:00, 18:00
    assert carbon_series(carbon, times, DENVER).tolist() == [0.25, 0.40, 0.40]
    power_w = np.array([1000.0, 2000.0, 3000.0])  # 1, 2 and 3 kWh in an hour each
    result = energy_cost_carbon(power_w, times, 3600, Tariff(), carbon, DENVER)
    assert result.kwh == pytest.approx(6.0)
    assert result.kg_co2 == pytest.approx(1 * 0.25 + 2 * 0.40 + 3 * 0.40)
    assert result.cost == 0.0  # no tariff: a flat price of 0


def test_heating_and_cooling_of_every_zone_both_cost_energy():
    times = steps(TUESDAY, 2, timedelta(hours=1))
    zones_w = np.array([[2000.0, -1000.0], [-3000.0, 500.0]])  # heating +, cooling -
    result = energy_cost_carbon(zones_w, times, 3600, tariff(0.2), Carbon(default=0.5), DENVER)
    total_kwh = (2 + 1 + 3 + 0.5) * 1.0
    assert result.kwh == pytest.approx(total_kwh)
    assert result.cost == pytest.approx(total_kwh * 0.2)
    assert result.kg_co2 == pytest.approx(total_kwh * 0.5)


def test_power_and_step_times_must_agree_in_length():
    with pytest.raises(ValueError, match="3 power values for 2 step times"):
        energy_cost_carbon(np.ones(3), steps(TUESDAY, 2, timedelta(hours=1)), 3600,
                           Tariff(), Carbon(), DENVER)  # fmt: skip


def test_naive_step_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        price_series(Tariff(), [datetime(2025, 7, 8, 12)], DENVER)
