"""What a scenario makes happen: the intervention types, told apart by `type`.

- `trip` / `out_of_service`: equipment stops (the same effect, another label);
- `setpoint`: a zone's cooling or heating setpoint set to a value or moved by a delta;
- `schedule`: a zone's setpoint schedule replaced over the horizon;
- `remove_feed` / `add_feed`: a FEEDS relationship taken away or added;
- `occupancy`: internal gains of zones multiplied, or set in W/m2;
- `airflow`: the supply airflow to zones raised or lowered.

Timed ones act from `at` until `until` (offsets from the scenario's start; default: the whole
horizon). Whether the targets exist, and are of a kind the type acts on, is the runner's to
check against the graph.

>>> from pydantic import TypeAdapter
>>> trip = TypeAdapter(Intervention).validate_python({"type": "trip", "target": "ahu-1",
...                                                   "until": "2h"})
>>> trip.window_s(4 * 3600)
(0.0, 7200.0)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from graphtwin.simulation.scenario_types import (
    ClockPeriod,
    Offset,
    StrictModel,
    TemperatureUnit,
    TwinId,
    difference_to_kelvin,
    offset,
    seconds,
    to_celsius,
)
from graphtwin.virtual.faults.spec import parse_duration


class TimedIntervention(StrictModel):
    """An intervention that acts from `at` until `until`."""

    at: Offset = Field(default="0m", description="When it starts, from the start (default 0).")
    until: Offset | None = Field(
        default=None, description="When it ends, from the start (default: the horizon's end)."
    )

    @field_validator("at", "until")
    @classmethod
    def _an_offset(cls, text: str | None) -> str | None:
        return None if text is None else offset(text)

    @field_validator("until")
    @classmethod
    def _after_at(cls, until: str | None, info: ValidationInfo) -> str | None:
        at = info.data.get("at")
        if until is not None and at is not None and parse_duration(until) <= parse_duration(at):
            raise ValueError(f"until {until} is not after at {at}")
        return until

    def window_s(self, horizon_s: float) -> tuple[float, float]:
        """Seconds from the start when it begins and ends."""
        return seconds(self.at), horizon_s if self.until is None else seconds(self.until)


class Outage(TimedIntervention):
    """Equipment stops: a trip, or taken out of service (the same effect, another label)."""

    type: Literal["trip", "out_of_service"]
    target: TwinId


class SetpointChange(TimedIntervention):
    """A zone's heating or cooling setpoint set to `value`, or moved by `delta`."""

    type: Literal["setpoint"]
    target: TwinId
    setpoint: Literal["cooling", "heating"]
    value: float | None = Field(default=None, description="The new setpoint.")
    delta: float | None = Field(
        default=None, validate_default=True, description="Added to the setpoint it had."
    )
    unit: TemperatureUnit = "degC"

    @field_validator("delta")
    @classmethod
    def _one_of(cls, delta: float | None, info: ValidationInfo) -> float | None:
        if (info.data.get("value") is None) == (delta is None):
            raise ValueError("give exactly one of value and delta")
        return delta

    @property
    def value_c(self) -> float | None:
        return None if self.value is None else to_celsius(self.value, self.unit)

    @property
    def delta_k(self) -> float | None:
        return None if self.delta is None else difference_to_kelvin(self.delta, self.unit)


class SchedulePeriod(ClockPeriod):
    value: float = Field(description="The setpoint during the period, in the schedule's unit.")


class ScheduleChange(StrictModel):
    """A zone's setpoint schedule replaced over the whole horizon: `default`, and the periods'
    values on the local clock."""

    type: Literal["schedule"]
    target: TwinId
    setpoint: Literal["cooling", "heating"]
    periods: list[SchedulePeriod] = Field(default_factory=list)
    default: float = Field(description="The setpoint outside the periods.")
    unit: TemperatureUnit = "degC"


class _FeedChange(StrictModel):
    from_: TwinId = Field(alias="from", description="What feeds (twin id).")
    to: TwinId = Field(description="What is fed (twin id).")

    @field_validator("to")
    @classmethod
    def _not_itself(cls, to: str, info: ValidationInfo) -> str:
        if to == info.data.get("from_"):
            raise ValueError(f"a feed from {to!r} to itself")
        return to


class RemoveFeed(_FeedChange):
    """A FEEDS relationship taken away for the whole horizon."""

    type: Literal["remove_feed"]


class AddFeed(_FeedChange):
    """A FEEDS relationship added for the whole horizon."""

    type: Literal["add_feed"]


class OccupancyChange(TimedIntervention):
    """The internal gains of the zones under `target` multiplied by `factor`, or set to
    `watts_per_m2`. A factor of 0 empties them."""

    type: Literal["occupancy"]
    target: TwinId = Field(description="A zone, or a floor or building: the zones under it.")
    factor: float | None = Field(default=None, ge=0, description="Multiplies internal gains.")
    watts_per_m2: float | None = Field(
        default=None, ge=0, validate_default=True, description="Internal gains, W/m2."
    )

    @field_validator("watts_per_m2")
    @classmethod
    def _one_of(cls, watts: float | None, info: ValidationInfo) -> float | None:
        if (info.data.get("factor") is None) == (watts is None):
            raise ValueError("give exactly one of factor and watts_per_m2")
        return watts


class AirflowChange(TimedIntervention):
    """The supply airflow to the zones `target` serves (an AHU, a terminal) or to a zone,
    raised or lowered: `factor` multiplies the HVAC heat the zones can receive."""

    type: Literal["airflow"]
    target: TwinId
    factor: float = Field(gt=0, description="1.3: 30% more; a stop is a trip, not 0.")


Intervention = Annotated[
    Outage
    | SetpointChange
    | ScheduleChange
    | RemoveFeed
    | AddFeed
    | OccupancyChange
    | AirflowChange,
    Field(discriminator="type"),
]
