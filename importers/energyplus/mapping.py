"""The EnergyPlus mapping data (`ontologies/energyplus_mapping.yaml`), loaded once.

Object types, field names, Brick classes, output variables and units are data, not code: a new
EnergyPlus component or a renamed field is a change to the YAML file. Object types are keyed by
their upper-case spelling, because EnergyPlus matches them case-insensitively.

>>> energyplus_mapping().component("FAN:VARIABLEVOLUME").role
'fan'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class Role:
    kind: str
    """The twin node kind (Equipment, Zone, System, ...)."""
    brick_class: str | None


@dataclass(frozen=True, slots=True)
class PartRef:
    """How a wrapper, zone unit or terminal names one of its parts: a type field and a name
    field, or a name field and the types that name may have."""

    name_field: str
    type_field: str | None = None
    types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ComponentRule:
    role: str
    brick_class: str | None = None
    brick_field: str | None = None
    brick_values: tuple[tuple[str, str], ...] = ()
    flags: frozenset[str] = frozenset()

    def brick_class_for(self, value: str | None) -> str | None:
        """The Brick class for an object whose `brick_field` holds `value`."""
        for known, brick_class in self.brick_values:
            if value is not None and known.casefold() == value.casefold():
                return brick_class
        return self.brick_class


@dataclass(frozen=True, slots=True)
class UnitRule:
    """A zone unit (fan coil, PTAC, unit heater, ...) or an air terminal."""

    brick_class: str | None
    parts: tuple[PartRef, ...]
    inlets: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PlacementRule:
    """Where equipment on no zone's equipment list is: in the zones of the objects it lists."""

    list_field: str
    """The array field listing the objects."""
    name_field: str
    """The field of each array item naming a listed object."""
    types: tuple[str, ...]
    """The object types that name may have."""
    zone_field: str
    """The field of a listed object naming its zone."""


@dataclass(frozen=True, slots=True)
class LoopRule:
    supply_branches: str
    demand_branches: str
    brick_class: str


@dataclass(frozen=True, slots=True)
class LoadMethod:
    field: str
    per: str
    """none, area (times the floor area), area_per (floor area divided by it), person."""


@dataclass(frozen=True, slots=True)
class LoadRule:
    level_property: str
    schedule_property: str
    method_field: str
    schedule_field: str
    methods: dict[str, LoadMethod]
    """Upper-case method -> how to read it; the first is EnergyPlus's default."""


@dataclass(frozen=True, slots=True)
class PointRule:
    kind: str
    label: str
    variable: str
    brick_class: str
    unit: str
    twin_unit: str
    key: str = ""
    meter: bool = False
    transform: str = "none"
    when: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EnergyPlusMapping:
    roles: dict[str, Role]
    components: dict[str, ComponentRule]
    wrappers: dict[str, tuple[PartRef, ...]]
    zone_units: dict[str, UnitRule]
    zone_exhaust: frozenset[str]
    located_by_listed: dict[str, PlacementRule]
    terminals: dict[str, UnitRule]
    supply_path_components: dict[str, tuple[str, str]]
    left_out: frozenset[str]
    loops: dict[str, LoopRule]
    loop_domestic_type: str
    loop_domestic_brick_class: str
    loop_types: dict[str, str]
    thermostat_setpoints: dict[str, dict[str, str]]
    loads: dict[str, LoadRule]
    load_target_field: str
    storey_tolerance_m: float
    gas_value: str
    gas_fields: frozenset[str]
    gas_always: frozenset[str]
    points: dict[str, tuple[PointRule, ...]]

    def component(self, eplus_type: str) -> ComponentRule | None:
        return self.components.get(eplus_type.upper())

    def brick_classes(self) -> set[str]:
        """Every Brick class the mapping names (for the test against brick_classes.json)."""
        found = {r.brick_class for r in self.roles.values() if r.brick_class}
        for rule in self.components.values():
            found.update(c for c in (rule.brick_class, *(v for _, v in rule.brick_values)) if c)
        for unit in (*self.zone_units.values(), *self.terminals.values()):
            if unit.brick_class:
                found.add(unit.brick_class)
        found.update(loop.brick_class for loop in self.loops.values())
        found.update(self.loop_types.values())
        found.add(self.loop_domestic_brick_class)
        found.update(p.brick_class for rules in self.points.values() for p in rules)
        return found


def _parts(raw: list[dict[str, Any]]) -> tuple[PartRef, ...]:
    return tuple(
        PartRef(
            name_field=p["name_field"],
            type_field=p.get("type_field"),
            types=tuple(p.get("types", ())),
        )
        for p in raw
    )


def _component(raw: dict[str, Any]) -> ComponentRule:
    by = raw.get("brick_class_by") or {}
    return ComponentRule(
        role=raw["role"],
        brick_class=raw.get("brick_class"),
        brick_field=by.get("field"),
        brick_values=tuple((k, v) for k, v in (by.get("values") or {}).items()),
        flags=frozenset(raw.get("flags", ())),
    )


def _unit(raw: dict[str, Any]) -> UnitRule:
    return UnitRule(
        brick_class=raw.get("brick_class"),
        parts=_parts(raw.get("parts", [])),
        inlets=tuple(raw.get("inlets", ())),
        flags=frozenset(raw.get("flags", ())),
    )


def _point(raw: dict[str, Any]) -> PointRule:
    return PointRule(
        kind=raw["kind"],
        label=raw["label"],
        variable=raw["variable"],
        brick_class=raw["brick_class"],
        unit=raw["unit"],
        twin_unit=raw["twin_unit"],
        key=raw.get("key", ""),
        meter=bool(raw.get("meter", False)),
        transform=raw.get("transform", "none"),
        when=frozenset(raw.get("when", ())),
        unless=frozenset(raw.get("unless", ())),
    )


@cache
def energyplus_mapping() -> EnergyPlusMapping:
    """The mapping, read from the package's `ontologies/energyplus_mapping.yaml` once."""
    text = resources.files("ontologies").joinpath("energyplus_mapping.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    gas = raw["natural_gas"]
    return EnergyPlusMapping(
        roles={
            name: Role(kind=r["kind"], brick_class=r.get("brick_class"))
            for name, r in raw["roles"].items()
        },
        components={t.upper(): _component(r) for t, r in raw["components"].items()},
        wrappers={t.upper(): _parts(parts) for t, parts in raw["wrappers"].items()},
        zone_units={t.upper(): _unit(r) for t, r in raw["zone_units"].items()},
        zone_exhaust=frozenset(t.upper() for t in raw["zone_exhaust"]),
        located_by_listed={
            t.upper(): PlacementRule(
                list_field=r["list"],
                name_field=r["name_field"],
                types=tuple(r["types"]),
                zone_field=r["zone_field"],
            )
            for t, r in raw["located_by_listed"].items()
        },
        terminals={t.upper(): _unit(r) for t, r in raw["terminals"].items()},
        supply_path_components={
            t.upper(): (r["inlet"], r["outlets"]) for t, r in raw["supply_path_components"].items()
        },
        left_out=frozenset(t.upper() for t in raw["left_out"]),
        loops={
            t.upper(): LoopRule(r["supply_branches"], r["demand_branches"], r["brick_class"])
            for t, r in raw["loops"].items()
        },
        loop_domestic_type=raw["loop_domestic"]["demand_type"].upper(),
        loop_domestic_brick_class=raw["loop_domestic"]["brick_class"],
        loop_types={k.upper(): v for k, v in raw["loop_types"].items()},
        thermostat_setpoints={
            t.upper(): dict(fields) for t, fields in raw["thermostat_setpoints"].items()
        },
        loads={
            t.upper(): LoadRule(
                level_property=r["level_property"],
                schedule_property=r["schedule_property"],
                method_field=r["method_field"],
                schedule_field=r["schedule_field"],
                methods={
                    m.upper(): LoadMethod(field=v["field"], per=v["per"])
                    for m, v in r["methods"].items()
                },
            )
            for t, r in raw["loads"].items()
        },
        load_target_field=raw["load_target_field"],
        storey_tolerance_m=float(raw["storey_tolerance_m"]),
        gas_value=gas["value"],
        gas_fields=frozenset(gas["fields"]),
        gas_always=frozenset(t.upper() for t in gas["always"]),
        points={role: tuple(_point(p) for p in rules) for role, rules in raw["points"].items()},
    )
