"""Energy, cost and carbon of a simulated variant, from its HVAC power, the scenario's tariff
and its carbon intensity.

Power is taken as constant over each step (the value at the step's start), and heating and
cooling both cost energy: the energy of a step is the sum of the absolute HVAC power of every
zone times the step. (The zone models give HVAC heat delivered to the air, positive heating and
negative cooling; this is that heat, not the electricity a chiller or heat pump draws for it:
no COP is applied.) Prices and intensities are read at each step's start on the local clock
`tz` (the offset of the scenario's start), so a step that starts at 13:55 is priced at the
13:55 price for its whole length.

>>> from datetime import UTC, datetime, timedelta
>>> from graphtwin.simulation.tariff import Carbon, Tariff
>>> times = [datetime(2025, 7, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(2)]
>>> energy_cost_carbon(np.array([1000.0, -2000.0]), times, 3600, Tariff(default=0.25),
...                    Carbon(default=0.5), UTC)
EnergyCostCarbon(kwh=3.0, cost=0.75, kg_co2=1.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import NamedTuple

import numpy as np

from graphtwin.simulation.tariff import Carbon, Tariff
from graphtwin.simulation.timeofday import clock_values

_J_PER_KWH = 3.6e6


class EnergyCostCarbon(NamedTuple):
    kwh: float
    cost: float
    """In the tariff's currency."""
    kg_co2: float


def price_series(tariff: Tariff, times: Sequence[datetime], tz: tzinfo) -> np.ndarray:
    """The price per kWh at each of `times` (aware), on the local clock of `tz`."""
    periods = [(period.window(), period.price) for period in tariff.periods]
    return clock_values(tariff.default, periods, times, tz)


def carbon_series(carbon: Carbon, times: Sequence[datetime], tz: tzinfo) -> np.ndarray:
    """The carbon intensity (kg CO2 per kWh) at each of `times`, on the local clock of `tz`."""
    periods = [(period.window(), period.value) for period in carbon.periods]
    return clock_values(carbon.default, periods, times, tz)


def step_energy_kwh(power_w: np.ndarray, step_s: float) -> np.ndarray:
    """kWh of each step: `power_w` is one series (steps,) or one per zone (zones, steps); the
    absolute values are summed over zones."""
    power = np.abs(np.asarray(power_w, dtype=float))
    if power.ndim == 2:
        power = power.sum(axis=0)
    elif power.ndim != 1:
        raise ValueError(f"power_w must be (steps,) or (zones, steps), not {power.shape}")
    return power * step_s / _J_PER_KWH


def energy_cost_carbon(
    power_w: np.ndarray,
    times: Sequence[datetime],
    step_s: float,
    tariff: Tariff,
    carbon: Carbon,
    tz: tzinfo,
) -> EnergyCostCarbon:
    """Energy (kWh), cost and carbon (kg CO2) of HVAC power `power_w` (W; (steps,) or
    (zones, steps)) over the steps starting at `times`, each `step_s` long."""
    energy = step_energy_kwh(power_w, step_s)
    if len(energy) != len(times):
        raise ValueError(f"{len(energy)} power values for {len(times)} step times")
    return EnergyCostCarbon(
        kwh=float(energy.sum()),
        cost=float(energy @ price_series(tariff, times, tz)),
        kg_co2=float(energy @ carbon_series(carbon, times, tz)),
    )
