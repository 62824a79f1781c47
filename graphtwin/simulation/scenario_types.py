"""The value types a scenario is written in: durations (`4h`, `90m`, `PT4H`), clock times
(`08:00`, `24:00`), periods of the local day, temperatures with their unit, twin ids, and the
strict frozen model every part of a scenario is built on.

Durations are read by the faults file's `parse_duration` (graphtwin.virtual.faults.spec), so a
scenario and a faults file write time alike.

>>> seconds("90m")
5400.0
>>> to_celsius(77.0, "degF")
25.0
>>> ClockPeriod.model_validate({"from": "22:00", "to": "06:00"}).window().wraps
True
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from graphtwin.simulation.timeofday import WEEKDAYS, ClockWindow
from graphtwin.virtual.faults.spec import parse_duration

DURATION_FORMS = "90m, 4h, 2d, 30s, 1w or ISO 8601 (PT4H)"

TwinId = Annotated[str, Field(min_length=1, max_length=1000)]
Offset = Annotated[
    str, Field(description=f"From the start: {DURATION_FORMS}.", examples=["0m", "2h"])
]
"""A time after the scenario's start (validated by `offset`)."""
PositiveDuration = Annotated[str, Field(description=DURATION_FORMS, examples=["4h", "5m", "PT4H"])]
"""A length of time (validated by `positive`)."""
StartClock = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, local clock.")
]
EndClock = Annotated[
    str,
    Field(
        pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$",
        description="HH:MM, local clock; 24:00 is midnight at the end of the day.",
    ),
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TemperatureUnit = Literal["degC", "degF", "K"]
_CELSIUS: dict[str, tuple[float, float]] = {
    "degC": (1.0, 0.0),
    "degF": (5 / 9, -32 * 5 / 9),
    "K": (1.0, -273.15),
}
"""Scale and offset from each unit to degrees Celsius (a difference takes the scale only)."""


def seconds(duration: str) -> float:
    """A scenario duration (`4h`, `90m`, `PT4H`) in seconds."""
    return parse_duration(duration).total_seconds()


def offset(text: str) -> str:
    """`text` if it is a duration of 0 or more; ValueError otherwise."""
    if parse_duration(text) < timedelta(0):
        raise ValueError(f"{text!r} is negative: offsets count from the start")
    return text


def positive(text: str) -> str:
    """`text` if it is a duration over 0; ValueError otherwise."""
    if parse_duration(text) <= timedelta(0):
        raise ValueError(f"{text!r} is not positive")
    return text


def to_celsius(value: float, unit: str) -> float:
    """An absolute temperature in `unit` in degrees Celsius."""
    scale, shift = _CELSIUS[unit]
    return value * scale + shift


def difference_to_kelvin(delta: float, unit: str) -> float:
    """A temperature difference in `unit` in kelvin."""
    return delta * _CELSIUS[unit][0]


class StrictModel(BaseModel):
    """Unknown fields refused, values frozen, no infinities or NaN."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class ClockPeriod(StrictModel):
    """Part of the day on the local clock (the offset of the scenario's start). `from` to `to`,
    wrapping midnight when `to` is earlier (22:00 to 06:00: the morning hours belong to the day
    it started on); on `days` only, when given. The first period that covers a time wins."""

    from_: StartClock = Field(alias="from")
    to: EndClock
    days: list[Weekday] | None = Field(
        default=None, min_length=1, description="Weekdays it applies on (default: every day)."
    )

    @field_validator("to")
    @classmethod
    def _not_empty(cls, to: str, info: ValidationInfo) -> str:
        if to == info.data.get("from_"):
            raise ValueError(f"from and to are both {to}: for the whole day write 00:00 to 24:00")
        return to

    def window(self) -> ClockWindow:
        """The period as minutes of the day and weekdays (graphtwin.simulation.timeofday)."""
        days = None if self.days is None else frozenset(WEEKDAYS.index(d) for d in self.days)
        return ClockWindow(_minute(self.from_), _minute(self.to), days)


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)
