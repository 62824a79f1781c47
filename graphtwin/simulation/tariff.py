"""A scenario's time-of-use electricity prices and carbon intensity: a default value, and
periods of the local day with values of their own (graphtwin.simulation.timeofday reads them).

>>> tariff = Tariff.model_validate(
...     {"currency": "EUR", "default": 0.18, "periods": [{"from": "08:00", "to": "20:00",
...      "price": 0.32, "days": ["mon", "tue", "wed", "thu", "fri"]}]})
>>> tariff.periods[0].price
0.32
"""

from __future__ import annotations

from pydantic import Field

from graphtwin.simulation.scenario_types import ClockPeriod, StrictModel


class TariffPeriod(ClockPeriod):
    price: float = Field(description="Price per kWh in the tariff's currency.")


class CarbonPeriod(ClockPeriod):
    value: float = Field(ge=0, description="kg CO2 per kWh.")


class Tariff(StrictModel):
    """Time-of-use electricity prices; default: a flat price of 0. A negative price (a market
    that pays for consumption) is allowed."""

    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    default: float = Field(default=0.0, description="Price per kWh outside the periods.")
    periods: list[TariffPeriod] = Field(default_factory=list)


class Carbon(StrictModel):
    """Carbon intensity of the electricity, kg CO2 per kWh; default 0."""

    default: float = Field(default=0.0, ge=0, description="kg CO2 per kWh outside the periods.")
    periods: list[CarbonPeriod] = Field(default_factory=list)
