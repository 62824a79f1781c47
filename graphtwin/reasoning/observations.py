"""Which values a node has for a property, and which point measures which property (pure code).

A node's value of property P (`zone_air_temperature`) comes from, in this order of closeness:

- `own`: the node's own property P, or that of a SAME_AS twin (the cluster is one thing);
- `point`: the current `value` of a point the node HAS_POINT (or the node itself, when it is a
  point that measures P);
- `located`: a point LOCATED_IN the node;
- `served`: a point of equipment that FEEDS or SERVES the node; the zone temperature sensor of
  a VAV box observes the room the box feeds.

A point measures P when its `measures` property is P, or when its Brick class, lower-cased and
without a trailing `_sensor`, `_setpoint`, `_status` or `_command`, is P
(`Zone_Air_Temperature_Sensor` measures `zone_air_temperature`).

Setpoints are checked too. A setpoint is not the room's state, but a setpoint outside a hard
range is the control system being told to break the rule, which a facility manager wants to
hear about before the room follows it; `point_class` on an observation (and on a violation) tells
the two apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from graphtwin.reasoning.because import Step

Route = Literal["own", "point", "located", "served"]
ROUTE_ORDER: dict[str, int] = {"own": 0, "point": 1, "located": 2, "served": 3}

POINT_SUFFIXES = ("_sensor", "_setpoint", "_status", "_command")


def measured_properties(measures: str | None, brick_class: str | None) -> frozenset[str]:
    """The properties a point measures: its `measures`, and what its Brick class names."""
    found = set()
    if measures:
        found.add(measures)
    if brick_class:
        name = brick_class.lower()
        for suffix in POINT_SUFFIXES:
            if name.endswith(suffix):
                name = name.removesuffix(suffix)
                break
        found.add(name)
    return frozenset(found)


def measuring_classes(properties: Iterable[str]) -> list[str]:
    """The lower-cased Brick class names that measure one of `properties` (by
    `measured_properties`): what a statement may filter points by before Python decides.

    >>> measuring_classes(["zone_air_temperature"])[:2]
    ['zone_air_temperature', 'zone_air_temperature_command']
    """
    wanted = set(properties)
    names = {prop + suffix for prop in wanted for suffix in ("", *POINT_SUFFIXES)}
    return sorted(name for name in names if measured_properties(None, name) & wanted)


def point_role(brick_class: str | None) -> str | None:
    """`sensor`, `setpoint`, `status` or `command` from a point's Brick class, else None."""
    name = (brick_class or "").lower()
    return next((s.removeprefix("_") for s in POINT_SUFFIXES if name.endswith(s)), None)


def as_number(value: Any) -> float | None:
    """A finite number as float; None for anything else (text, booleans, lists, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class Observation:
    """A current value of one property of one node, and how it reaches that node."""

    node: str
    """The node the value is about (the governed node)."""
    property: str
    value: float
    unit: str | None
    """As stored (`DEG_C`, `degC`); None when the graph does not say: such a value is taken to
    be in the unit of the limit it is compared with."""
    route: Route
    holder: str
    """The node that carries the value: the node, a SAME_AS twin, or a point."""
    point: str | None = None
    point_class: str | None = None
    at: datetime | None = None
    quality: str | None = None
    health: str | None = None
    via: tuple[Step, ...] = ()
    """How the value reaches `node` (empty for the node's own property)."""

    @property
    def rank(self) -> tuple[int, int, str]:
        return (ROUTE_ORDER[self.route], len(self.via), self.point or self.holder)


def point_observations(
    node: str,
    wanted: frozenset[str] | set[str],
    *,
    point: str,
    measures: str | None,
    brick_class: str | None,
    value: Any,
    unit: str | None,
    route: Route,
    at: datetime | None = None,
    quality: str | None = None,
    health: str | None = None,
    via: tuple[Step, ...] = (),
) -> list[Observation]:
    """The observations one point's current value gives `node`: one per wanted property the
    point measures (none when the value is not a number)."""
    number = as_number(value)
    if number is None:
        return []
    return [
        Observation(
            node=node,
            property=prop,
            value=number,
            unit=unit,
            route=route,
            holder=point,
            point=point,
            point_class=brick_class,
            at=at,
            quality=quality,
            health=health,
            via=via,
        )
        for prop in sorted(measured_properties(measures, brick_class) & set(wanted))
    ]
