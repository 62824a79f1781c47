"""The faults file's schema (pydantic), and its JSON Schema for docs and editors.

graphtwin-faults: 1
faults:
  - id: ahu-bot-trip                 # optional; default <type>-<n>
    type: trip
    target: PACU_VAV_bot             # an EnergyPlus object name or a twin id
    start: "07-09 10:00"             # local time of the run's year, or ISO 8601 with an offset
    duration: 4h                     # 90m, 2d, or ISO 8601 (PT4H)
  - {type: offset, target: zone/Core_mid/air-temperature, start: "07-09 08:00", duration: 1d,
     offset: 2.5}

Every entry has a type, a target (or targets), a start and a duration; the rest depends on the
type. What a target may be, and how each type acts on EnergyPlus or on what is served, is in
docs/faults.md.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from graphtwin.yaml_spec import published_schema

FORMAT_VERSION = 1
SCHEMA_ID = "https://graphtwin.dev/schemas/faults.schema.json"

EQUIPMENT_TYPES = ("trip", "coil_failure", "setpoint_change", "schedule_change", "degradation")
"""Faults and actions that act on EnergyPlus through its actuators."""
SENSOR_TYPES = ("stuck", "offset", "drift", "noise", "swap")
"""Faults that act on what is served: EnergyPlus simulates the building as it is."""
LABEL_TYPES = ("mislabel",)
"""Faults in the twin's labels: nothing changes in the building or in what is served."""
FAULT_TYPES = EQUIPMENT_TYPES + SENSOR_TYPES + LABEL_TYPES

_ID = r"^[A-Za-z0-9_.:/\-]+$"
LOCAL_TIME = re.compile(r"^(\d{2})-(\d{2}) (\d{2}):(\d{2})$")
_SHORT_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d|w)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ISO_DURATION = TypeAdapter(timedelta)


def parse_duration(text: str) -> timedelta:
    """`4h`, `90m`, `2d`, `30s`, `1w` or ISO 8601 (`PT4H`, `P1DT2H`); ValueError otherwise.

    >>> parse_duration("90m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("PT4H")
    datetime.timedelta(seconds=14400)
    """
    short = _SHORT_DURATION.match(text.strip())
    if short:
        return timedelta(seconds=float(short.group(1)) * _UNIT_SECONDS[short.group(2)])
    if text.strip().upper().startswith(("P", "-P")):
        try:
            return _ISO_DURATION.validate_python(text.strip())
        except ValidationError as exc:
            raise ValueError(f"{text!r} is not an ISO 8601 duration") from exc
    raise ValueError(f"{text!r} is not a duration: write e.g. 4h, 90m, 2d or ISO 8601 (PT4H)")


def format_duration(delta: timedelta) -> str:
    """The shortest of `<n>d`, `<n>h`, `<n>m`, `<n>s` that says `delta` exactly.

    >>> format_duration(timedelta(minutes=135))
    '135m'
    """
    seconds = int(delta.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def check_start(text: str) -> str:
    """`text` if it is `MM-DD HH:MM` or an ISO 8601 time with an offset; ValueError otherwise."""
    local = LOCAL_TIME.match(text)
    if local:
        month, day, hour, minute = (int(g) for g in local.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59):
            raise ValueError(f"{text!r} is not a time of the year (MM-DD HH:MM)")
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is not a start: write MM-DD HH:MM (local time of the run's year) or "
            "ISO 8601 with an offset (2025-07-09T10:00:00-07:00)"
        ) from exc
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset: add one (e.g. -07:00 or Z)")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Fault(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=200, pattern=_ID)] | None = Field(
        default=None, description="Unique in the file; default <type>-<n> (trip-1, trip-2, ...)."
    )
    target: str | None = Field(
        default=None,
        min_length=1,
        description="What the fault acts on: a twin id (eplus:<model>/<kind>/<name>[/<point>], "
        "or without the eplus:<model>/ prefix) or an EnergyPlus object name.",
    )
    targets: list[Annotated[str, Field(min_length=1)]] | None = Field(
        default=None, min_length=1, description="Several targets, each acted on alike."
    )
    start: str = Field(
        description="Simulated local time `MM-DD HH:MM` of the run's year (the model's standard "
        "time, Site:Location time_zone), or ISO 8601 with an offset.",
        examples=["07-09 10:00", "2025-07-09T10:00:00-07:00"],
    )
    duration: str = Field(
        description="How long it lasts: 4h, 90m, 2d, 30s, 1w or ISO 8601 (PT4H).",
        examples=["4h", "90m", "PT4H"],
    )
    note: str | None = Field(default=None, description="Free text, copied to the labels.")

    @model_validator(mode="after")
    def _well_formed(self) -> _Fault:
        if (self.target is None) == (self.targets is None):
            raise ValueError("give exactly one of target and targets")
        check_start(self.start)
        if parse_duration(self.duration) <= timedelta(0):
            raise ValueError(f"duration {self.duration!r} is not positive")
        return self

    @property
    def target_names(self) -> list[str]:
        return [self.target] if self.target is not None else list(self.targets or [])


class Trip(_Fault):
    """An AHU (AirLoopHVAC: all its supply fans) or one fan stops: its air mass flow is 0."""

    type: Literal["trip"]


class CoilFailure(_Fault):
    """A coil stops conditioning the air: the setpoint it controls to is moved out of reach."""

    type: Literal["coil_failure"]


class SetpointChange(_Fault):
    """A zone's thermostat setpoints are changed (an action, or a wrong setting)."""

    type: Literal["setpoint_change"]
    heating: float | None = Field(default=None, description="Heating setpoint, C.")
    cooling: float | None = Field(default=None, description="Cooling setpoint, C.")

    @model_validator(mode="after")
    def _some_setpoint(self) -> SetpointChange:
        if self.heating is None and self.cooling is None:
            raise ValueError("give heating, cooling or both (C)")
        if self.heating is not None and self.cooling is not None and self.heating > self.cooling:
            raise ValueError(f"heating {self.heating} C is above cooling {self.cooling} C")
        return self


class ScheduleChange(_Fault):
    """A schedule (e.g. occupancy) takes a fixed value."""

    type: Literal["schedule_change"]
    value: float = Field(description="The schedule's value while the change lasts.")


class Degradation(_Fault):
    """A fan runs at a fraction of its design total efficiency (it draws 1/fraction the power)."""

    type: Literal["degradation"]
    fraction: float = Field(gt=0, lt=1, description="Share of the design efficiency left.")


class Stuck(_Fault):
    """A point's served value stays at its value when the fault starts, or at `value`."""

    type: Literal["stuck"]
    value: float | None = Field(default=None, description="Default: the value at the start.")


class Offset(_Fault):
    """A point's served value is off by a constant."""

    type: Literal["offset"]
    offset: float = Field(description="Added to the value, in the point's unit.")


class Drift(_Fault):
    """A point's served value drifts away, growing from the start."""

    type: Literal["drift"]
    rate_per_hour: float = Field(description="Added per hour since the start, point's unit.")


class Noise(_Fault):
    """Gaussian noise on a point's served value (seeded: runs repeat exactly)."""

    type: Literal["noise"]
    sigma: float = Field(gt=0, description="Standard deviation, in the point's unit.")
    seed: int | None = Field(default=None, description="Default: the plan's seed and the entry.")


class Swap(_Fault):
    """Two points' served values are exchanged (crossed wiring)."""

    type: Literal["swap"]

    @model_validator(mode="after")
    def _two_points(self) -> Swap:
        names = self.target_names
        if len(names) != 2 or names[0] == names[1]:
            raise ValueError("a swap takes targets: [two different points]")
        return self


class Mislabel(_Fault):
    """The twin's label of a point is wrong; the building and what it serves are right. Applied
    to the imported twin graph (`apply_mislabels`). start and duration default to the run."""

    type: Literal["mislabel"]
    start: str | None = Field(  # type: ignore[assignment]
        default=None, description="Default: the run's start.", examples=["07-09 10:00"]
    )
    duration: str | None = Field(  # type: ignore[assignment]
        default=None, description="Default: until the run's end.", examples=["2d"]
    )
    brick_class: str | None = Field(default=None, description="The wrong Brick class.")
    parent: str | None = Field(
        default=None, description="The wrong parent (twin id or EnergyPlus name) it hangs on."
    )

    @model_validator(mode="after")
    def _well_formed(self) -> Mislabel:  # type: ignore[override]
        if (self.target is None) == (self.targets is None):
            raise ValueError("give exactly one of target and targets")
        if self.start is not None:
            check_start(self.start)
        if self.duration is not None and parse_duration(self.duration) <= timedelta(0):
            raise ValueError(f"duration {self.duration!r} is not positive")
        if self.brick_class is None and self.parent is None:
            raise ValueError("say what is wrong: brick_class, parent or both")
        return self


FaultEntry = Annotated[
    Trip
    | CoilFailure
    | SetpointChange
    | ScheduleChange
    | Degradation
    | Stuck
    | Offset
    | Drift
    | Noise
    | Swap
    | Mislabel,
    Field(discriminator="type"),
]


class FaultsFile(_Strict):
    graphtwin_faults: Literal[1] = Field(alias="graphtwin-faults")
    faults: list[FaultEntry] = Field(default_factory=list)


def faults_json_schema() -> dict[str, Any]:
    """The faults file's JSON Schema (docs/faults.schema.json)."""
    return published_schema(
        FaultsFile.model_json_schema(by_alias=True),
        schema_id=SCHEMA_ID,
        title="graphtwin faults file",
    )
