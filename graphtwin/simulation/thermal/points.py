"""Which points a zone's thermal model reads, found from Brick classes and relationships only.

A zone (kind `Zone`, not a plenum) with a `Zone_Air_Temperature_Sensor` gets a `ZonePoints`:
its setpoints, the equipment that FEEDS it (terminals, or an AHU feeding it directly) with
their airflow, the supply temperature of the AHU upstream (or the terminal's own discharge
temperature, which already includes reheat), the heating power of their reheat coils, the fan
status of the AHUs upstream, and the outdoor temperature of the building (or site) that
contains it. Nothing depends on how a source names things, so the same code serves an
EnergyPlus twin, a Brick model and an IFC model whose BMS shows the same points.

>>> nodes = {
...     "z": NodeInfo("Zone", None, "Office", {"floor_area_m2": 50.0}),
...     "z/t": NodeInfo("Point", "Zone_Air_Temperature_Sensor", "T", {}),
... }
>>> zone_points(nodes, [("z", "HAS_POINT", "z/t")])["z"].air_temperature
'z/t'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphtwin.brick_hierarchy import brick_ancestors, brick_class_and_subclasses

ZONE_KINDS = frozenset({"Zone", "Space"})
"""Kinds that can be zones: a Zone (EnergyPlus, Brick HVAC_Zone) or a Space (a room) with an
air temperature point of its own or of what serves it."""
AIR_TEMPERATURE = "Zone_Air_Temperature_Sensor"
HEATING_SETPOINT = "Heating_Zone_Air_Temperature_Setpoint"
COOLING_SETPOINT = "Cooling_Zone_Air_Temperature_Setpoint"
OUTDOOR_TEMPERATURE = "Outside_Air_Temperature_Sensor"
SUPPLY_FLOW = ("Supply_Air_Flow_Sensor", "Discharge_Air_Flow_Sensor")
SUPPLY_TEMPERATURE = ("Supply_Air_Temperature_Sensor", "Discharge_Air_Temperature_Sensor")
HEATING_POWER = "Heating_Thermal_Power_Sensor"
FAN_STATUS = "Fan_Status"
AHU = "Air_Handling_Unit"
VAV_BOX = "Variable_Air_Volume_Box"


ROLES = (
    AIR_TEMPERATURE,
    HEATING_SETPOINT,
    COOLING_SETPOINT,
    OUTDOOR_TEMPERATURE,
    *SUPPLY_FLOW,
    *SUPPLY_TEMPERATURE,
    HEATING_POWER,
    FAN_STATUS,
)
"""The point classes a zone model reads (with their Brick subclasses: `point_classes`)."""


def point_classes() -> list[str]:
    """Every Brick class a zone model may read: `ROLES` and their subclasses, so a run need
    not copy the building's other points (a 10,000-point building has few of these)."""
    return sorted({c for role in ROLES for c in brick_class_and_subclasses(role)})


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What the point finder needs of a node."""

    kind: str
    brick_class: str | None
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SupplyPoints:
    """One feed of a zone: the terminal (or AHU) that FEEDS it and the points that give its
    heat: q = m * cp * (T_supply - T_zone) + reheat."""

    terminal: str
    flow: str | None
    """kg/s."""
    supply_temperature: str | None
    """degC, of the air entering the zone before reheat (or after it, when `reheat` is ())."""
    reheat: tuple[str, ...]
    """W, heating power of reheat coils between the supply temperature and the zone."""
    ahus: tuple[str, ...]
    """The AHUs upstream (the terminal itself when an AHU feeds the zone directly)."""


@dataclass(frozen=True, slots=True)
class ZonePoints:
    """Everything the thermal model of one zone reads, and the zone's geometry."""

    zone: str
    name: str
    air_temperature: str
    supplies: tuple[SupplyPoints, ...]
    heating_setpoint: str | None
    cooling_setpoint: str | None
    outdoor_temperature: str | None
    fan_status: tuple[str, ...]
    """Fan status points of the AHUs upstream."""
    floor_area_m2: float | None
    volume_m3: float | None
    multiplier: int = 1
    variable_air_volume: bool = False
    """A VAV box supplies the zone: it keeps a minimum airflow while its AHU runs."""

    @property
    def ahus(self) -> tuple[str, ...]:
        return tuple(sorted({a for s in self.supplies for a in s.ahus}))

    def point_ids(self) -> list[str]:
        """Every point this zone reads (for one history query)."""
        ids = [self.air_temperature, *self.fan_status]
        ids += [p for p in (self.heating_setpoint, self.cooling_setpoint) if p]
        if self.outdoor_temperature:
            ids.append(self.outdoor_temperature)
        for s in self.supplies:
            ids += [p for p in (s.flow, s.supply_temperature) if p]
            ids += list(s.reheat)
        return list(dict.fromkeys(ids))


def is_a(brick_class: str | None, wanted: str | tuple[str, ...]) -> bool:
    """The class is `wanted` (one of them) or below it in the Brick hierarchy."""
    if not brick_class:
        return False
    names = (wanted,) if isinstance(wanted, str) else wanted
    above = brick_ancestors().get(brick_class, frozenset())
    return any(brick_class == n or n in above for n in names)


def zone_points(
    nodes: Mapping[str, NodeInfo], edges: Iterable[tuple[str, str, str]]
) -> dict[str, ZonePoints]:
    """The points of every zone with an air temperature sensor, by zone id (sorted)."""
    out_edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    in_edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for source, rel, target in edges:
        if source in nodes and target in nodes:
            out_edges[source][rel].append(target)
            in_edges[target][rel].append(source)

    def points(node: str, wanted: str | tuple[str, ...]) -> list[str]:
        found = [p for p in out_edges[node]["HAS_POINT"] if is_a(nodes[p].brick_class, wanted)]
        return sorted(found)

    def first(node: str, wanted: str | tuple[str, ...]) -> str | None:
        found = points(node, wanted)
        return found[0] if found else None

    def observed(zone: str, wanted: str | tuple[str, ...]) -> str | None:
        """The zone's own point; else a point LOCATED_IN it; else one of the equipment
        LOCATED_IN, feeding or serving it (a VAV's zone sensor observes the room it feeds),
        as the reasoning finds a node's value (graphtwin/reasoning/observations.py)."""
        own = first(zone, wanted)
        if own is not None:
            return own
        located = sorted(
            p
            for p in in_edges[zone]["LOCATED_IN"]
            if nodes[p].kind == "Point" and is_a(nodes[p].brick_class, wanted)
        )
        if located:
            return located[0]
        around = sorted(
            {*in_edges[zone]["LOCATED_IN"], *in_edges[zone]["FEEDS"], *in_edges[zone]["SERVES"]}
        )
        return next((p for e in around if (p := first(e, wanted))), None)

    def parts(node: str) -> list[str]:
        seen, todo = {node}, [node]
        while todo:
            for part in out_edges[todo.pop()]["HAS_PART"]:
                if part not in seen:
                    seen.add(part)
                    todo.append(part)
        return sorted(seen)

    def is_ahu(node: str) -> bool:
        return is_a(nodes[node].brick_class, AHU) or (
            nodes[node].brick_class is None and bool(points(node, SUPPLY_TEMPERATURE))
        )

    def upstream_ahus(node: str) -> list[str]:
        seen, todo, found = {node}, [node], []
        while todo:
            for source in in_edges[todo.pop()]["FEEDS"]:
                if source in seen:
                    continue
                seen.add(source)
                if is_ahu(source):
                    found.append(source)
                else:
                    todo.append(source)
        return sorted(found)

    def ancestors(node: str) -> list[str]:
        seen, todo, order = {node}, [node], []
        while todo:
            for parent in in_edges[todo.pop(0)]["CONTAINS"]:
                if parent not in seen:
                    seen.add(parent)
                    order.append(parent)
                    todo.append(parent)
        return order

    everywhere_outdoor = sorted(
        p for p, info in nodes.items() if is_a(info.brick_class, OUTDOOR_TEMPERATURE)
    )

    result: dict[str, ZonePoints] = {}
    for zone_id in sorted(nodes):
        info = nodes[zone_id]
        if info.kind not in ZONE_KINDS or info.properties.get("is_plenum"):
            continue
        air = observed(zone_id, AIR_TEMPERATURE)
        if air is None:
            continue
        controllers = sorted(in_edges[zone_id]["CONTROLS"])
        heating = observed(zone_id, HEATING_SETPOINT) or next(
            (p for c in controllers if (p := first(c, HEATING_SETPOINT))), None
        )
        cooling = observed(zone_id, COOLING_SETPOINT) or next(
            (p for c in controllers if (p := first(c, COOLING_SETPOINT))), None
        )
        supplies = []
        for feeder in sorted(in_edges[zone_id]["FEEDS"]):
            ahus = [feeder] if is_ahu(feeder) else upstream_ahus(feeder)
            own_temperature = None if is_ahu(feeder) else first(feeder, SUPPLY_TEMPERATURE)
            reheat: list[str] = []
            if own_temperature is None and not is_ahu(feeder):
                reheat = [p for part in parts(feeder) for p in points(part, HEATING_POWER)]
            supply_temperature = own_temperature or next(
                (p for a in ahus if (p := first(a, SUPPLY_TEMPERATURE))), None
            )
            supplies.append(
                SupplyPoints(
                    terminal=feeder,
                    flow=first(feeder, SUPPLY_FLOW),
                    supply_temperature=supply_temperature,
                    reheat=tuple(reheat),
                    ahus=tuple(ahus),
                )
            )
        fans = sorted(
            {
                p
                for s in supplies
                for a in s.ahus
                for part in parts(a)
                for p in points(part, FAN_STATUS)
            }
        )
        outdoor = next(
            (p for a in ancestors(zone_id) if (p := first(a, OUTDOOR_TEMPERATURE))),
            everywhere_outdoor[0] if everywhere_outdoor else None,
        )
        props = info.properties
        result[zone_id] = ZonePoints(
            zone=zone_id,
            name=info.name,
            air_temperature=air,
            supplies=tuple(supplies),
            heating_setpoint=heating,
            cooling_setpoint=cooling,
            outdoor_temperature=outdoor,
            fan_status=tuple(fans),
            floor_area_m2=_number(props.get("floor_area_m2", props.get("floor_area"))),
            volume_m3=_number(props.get("volume_m3", props.get("volume"))),
            multiplier=int(props.get("multiplier") or 1),
            variable_air_volume=any(is_a(nodes[s.terminal].brick_class, VAV_BOX) for s in supplies),
        )
    return result


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None
