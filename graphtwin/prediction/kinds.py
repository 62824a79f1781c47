"""What a point measures, for forecasting, and the model settings each kind gets.

`point_kind` reads the Brick class first (with every class above it, from the Brick hierarchy
the project ships), then the unit, then words of the name. Each kind has a `KindPolicy`: the
model family, whether the days are told apart by type (working day, Saturday, Sunday), the
bounds the forecast is clipped to, and whether the values are a running counter to difference
(docs/prediction.md says why each kind gets its model).

>>> point_kind("Zone_Air_Temperature_Sensor", "degC", "Core_mid air-temperature")
<PointKind.ZONE_TEMPERATURE: 'zone_temperature'>
>>> point_kind(None, "J", "building electricity")
<PointKind.METER: 'meter'>
>>> policy(PointKind.STATUS).clip
(0.0, 1.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from graphtwin.brick_hierarchy import brick_ancestors


class PointKind(StrEnum):
    ZONE_TEMPERATURE = "zone_temperature"
    SUPPLY_TEMPERATURE = "supply_temperature"
    OUTDOOR_TEMPERATURE = "outdoor_temperature"
    METER = "meter"
    """Energy or volume used: forecast as usage per step (a running counter is differenced)."""
    POWER = "power"
    FLOW = "flow"
    HUMIDITY = "humidity"
    SETPOINT = "setpoint"
    POSITION = "position"
    STATUS = "status"
    """On/off and other binary states: the forecast is the share of time on."""
    OTHER = "other"


class Family(StrEnum):
    DAYTYPE_PROFILE = "daytype_profile"
    """Seasonal profile per day type and time of day, plus a short-memory residual correction
    (models.py)."""
    SEASONAL_NAIVE = "seasonal_naive"
    """The value one day earlier (the backtest's baseline)."""


@dataclass(frozen=True, slots=True)
class KindPolicy:
    family: Family = Family.DAYTYPE_PROFILE
    day_types: bool = True
    """Working days, Saturdays and Sundays each get their own profile (occupancy schedules)."""
    clip: tuple[float | None, float | None] = (None, None)
    counter: bool = False
    """A running total: forecast its increase per step (only when the history only rises)."""
    correction: bool = True
    """Correct the profile with the latest residual (decaying with the lead)."""


_POLICIES: dict[PointKind, KindPolicy] = {
    PointKind.ZONE_TEMPERATURE: KindPolicy(),
    PointKind.SUPPLY_TEMPERATURE: KindPolicy(),
    # the weather has a daily cycle but no working week
    PointKind.OUTDOOR_TEMPERATURE: KindPolicy(day_types=False),
    PointKind.METER: KindPolicy(clip=(0.0, None), counter=True),
    PointKind.POWER: KindPolicy(clip=(0.0, None)),
    PointKind.FLOW: KindPolicy(clip=(0.0, None)),
    PointKind.HUMIDITY: KindPolicy(clip=(0.0, 100.0)),
    PointKind.SETPOINT: KindPolicy(),
    PointKind.POSITION: KindPolicy(clip=(0.0, None)),
    PointKind.STATUS: KindPolicy(clip=(0.0, 1.0)),
    PointKind.OTHER: KindPolicy(),
}


def policy(kind: PointKind) -> KindPolicy:
    """The model settings of a kind."""
    return _POLICIES[kind]


# (Brick class, kind): the first class the point is, or is below, decides
_BY_CLASS: tuple[tuple[str, PointKind], ...] = (
    ("Setpoint", PointKind.SETPOINT),
    ("Zone_Air_Temperature_Sensor", PointKind.ZONE_TEMPERATURE),
    ("Supply_Air_Temperature_Sensor", PointKind.SUPPLY_TEMPERATURE),
    ("Discharge_Air_Temperature_Sensor", PointKind.SUPPLY_TEMPERATURE),
    ("Outside_Air_Temperature_Sensor", PointKind.OUTDOOR_TEMPERATURE),
    ("Energy_Sensor", PointKind.METER),
    ("Usage_Sensor", PointKind.METER),
    ("Meter", PointKind.METER),
    ("Power_Sensor", PointKind.POWER),
    ("Flow_Sensor", PointKind.FLOW),
    ("Humidity_Sensor", PointKind.HUMIDITY),
    ("Position_Sensor", PointKind.POSITION),
    ("Status", PointKind.STATUS),
    ("On_Off_Command", PointKind.STATUS),
)

_BY_UNIT: dict[str, PointKind] = {
    "J": PointKind.METER,
    "kJ": PointKind.METER,
    "MJ": PointKind.METER,
    "Wh": PointKind.METER,
    "kWh": PointKind.METER,
    "MWh": PointKind.METER,
    "m3": PointKind.METER,
    "W": PointKind.POWER,
    "kW": PointKind.POWER,
    "MW": PointKind.POWER,
    "kg/s": PointKind.FLOW,
    "m3/s": PointKind.FLOW,
    "m3/h": PointKind.FLOW,
    "L/s": PointKind.FLOW,
    "%RH": PointKind.HUMIDITY,
}

# (name pattern, kind), tried in order on the lower-cased name
_BY_NAME: tuple[tuple[re.Pattern[str], PointKind], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"setpoint|set-point|\bsp\b", PointKind.SETPOINT),
        (r"(supply|discharge)[ _-]?air[ _-]?temp", PointKind.SUPPLY_TEMPERATURE),
        (r"(outdoor|outside)[ _-]?air[ _-]?temp", PointKind.OUTDOOR_TEMPERATURE),
        (r"(zone|room|space)?[ _-]?air[ _-]?temp|temperature", PointKind.ZONE_TEMPERATURE),
        (r"energy|electricity|meter|gas|consumption", PointKind.METER),
        (r"power", PointKind.POWER),
        (r"flow", PointKind.FLOW),
        (r"humidity", PointKind.HUMIDITY),
        (r"position|damper|valve", PointKind.POSITION),
        (r"status|on[ _-]?off", PointKind.STATUS),
    )
)


def point_kind(brick_class: str | None, unit: str | None, name: str | None) -> PointKind:
    """The kind of a point from its Brick class, unit and name (`OTHER` when none tells)."""
    if brick_class:
        classes = {brick_class} | set(brick_ancestors().get(brick_class, frozenset()))
        for cls, kind in _BY_CLASS:
            if cls in classes:
                return kind
    if unit and unit.strip() in _BY_UNIT:
        return _BY_UNIT[unit.strip()]
    text = (name or "").lower()
    for pattern, kind in _BY_NAME:
        if pattern.search(text):
            return kind
    return PointKind.OTHER
