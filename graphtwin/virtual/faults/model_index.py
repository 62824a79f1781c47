"""What a faults file can name in a model: its EnergyPlus objects, their twin ids, the observed
points, and how they hang together (an AHU's fans and coils, the terminals and zones it serves,
a zone's thermostat, who uses a schedule).

Everything is read from the model's epJSON (EnergyPlus compares names case-insensitively, so this
does too) and named with the twin-id scheme of importers/energyplus/ids.py.

>>> index = ModelIndex(epjson, points, prefix="eplus:office")  # doctest: +SKIP
>>> (ahu,) = index.candidates("PACU_VAV_bot")  # doctest: +SKIP
>>> index.served(ahu)  # doctest: +SKIP
([Entity(kind='terminal', ...), ...], [Entity(kind='zone', name='Core_bottom', ...), ...])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from importers.energyplus.ids import object_id
from importers.energyplus.observed import ObservedPoint

SCHEDULE_TYPES = ("Schedule:Compact", "Schedule:Year", "Schedule:Constant", "Schedule:File")
_ZONE_FIELDS = (
    "zone_name",
    "zone_or_zonelist_name",
    "zone_or_zonelist_or_space_or_spacelist_name",
)


@dataclass(frozen=True, slots=True)
class Entity:
    """An EnergyPlus object a fault can act on or affect."""

    twin_id: str
    kind: str
    """The twin kind in its id: ahu, fan, coil, zone, thermostat, terminal, schedule."""
    eplus_type: str
    name: str
    """EnergyPlus's own name, as the epJSON writes it."""


def kind_of(eplus_type: str) -> str | None:
    """The twin kind of an EnergyPlus object type, or None for types faults do not name."""
    if eplus_type == "AirLoopHVAC":
        return "ahu"
    if eplus_type.startswith("Fan:"):
        return "fan"
    if eplus_type.startswith("Coil:") and ":CurveFit:" not in eplus_type:
        return "coil"
    if eplus_type.startswith("AirTerminal:"):
        return "terminal"
    return {
        "Zone": "zone",
        "ZoneControl:Thermostat": "thermostat",
        **dict.fromkeys(SCHEDULE_TYPES, "schedule"),
    }.get(eplus_type)


def _same(a: object, b: str) -> bool:
    return isinstance(a, str) and a.upper() == b.upper()


class ModelIndex:
    """The named objects and observed points of one model, with their connections."""

    def __init__(
        self, epjson: dict[str, Any], points: Sequence[ObservedPoint], *, prefix: str
    ) -> None:
        self.epjson = epjson
        self.prefix = prefix
        self.entities: dict[str, Entity] = {}
        self._by_name: dict[str, list[Entity]] = {}
        self._by_type_name: dict[tuple[str, str], Entity] = {}
        for eplus_type, objects in epjson.items():
            kind = kind_of(eplus_type)
            if kind is None or not isinstance(objects, dict):
                continue
            for name in objects:
                entity = Entity(object_id(prefix, kind, name), kind, eplus_type, name)
                self.entities.setdefault(entity.twin_id, entity)
                self._by_name.setdefault(name.upper(), []).append(entity)
                self._by_type_name[(eplus_type, name.upper())] = entity
        self.points: dict[str, ObservedPoint] = {p.twin_id: p for p in points}
        self._points_of: dict[str, list[str]] = {}
        for point in points:
            self._points_of.setdefault(point.parent, []).append(point.twin_id)

    # --- names ----------------------------------------------------------------------------------

    def candidates(self, text: str) -> list[Entity | ObservedPoint]:
        """Everything `text` may name: a point or entity by twin id (with or without the
        `eplus:<model>/` prefix), or entities by EnergyPlus name (any case)."""
        for twin_id in (text, f"{self.prefix}/{text}"):
            if twin_id in self.points:
                return [self.points[twin_id]]
            if twin_id in self.entities:
                return [self.entities[twin_id]]
        return list(self._by_name.get(text.upper(), []))

    def find(self, eplus_type: str, name: str) -> Entity | None:
        """The object `name` of `eplus_type`, in any case."""
        return self._by_type_name.get((eplus_type, name.upper()))

    def find_any(self, name: str, kind: str) -> Entity | None:
        """The object `name` of twin kind `kind` (e.g. the fan named in a unitary system)."""
        return next((e for e in self._by_name.get(name.upper(), []) if e.kind == kind), None)

    def points_of(self, twin_ids: Iterable[str]) -> list[str]:
        """The observed points hanging on any of `twin_ids`."""
        return [p for twin_id in twin_ids for p in self._points_of.get(twin_id, [])]

    def obj(self, entity: Entity) -> dict[str, Any]:
        """The epJSON fields of `entity`."""
        fields: dict[str, Any] = self.epjson[entity.eplus_type][entity.name]
        return fields

    def time_zone(self) -> timezone | None:
        """The model's standard time (Site:Location time_zone), the clock EnergyPlus runs on."""
        for location in (self.epjson.get("Site:Location") or {}).values():
            hours = location.get("time_zone")
            if isinstance(hours, int | float):
                return timezone(timedelta(hours=hours))
        return None

    # --- air loops ------------------------------------------------------------------------------

    def _branch_components(self, ahu: Entity) -> Iterator[tuple[str, str]]:
        branch_list = self._lookup("BranchList", self.obj(ahu).get("branch_list_name"))
        for branch in (branch_list or {}).get("branches", []):
            fields = self._lookup("Branch", branch.get("branch_name"))
            for component in (fields or {}).get("components", []):
                yield (
                    component.get("component_object_type", ""),
                    component.get("component_name", ""),
                )

    def ahu_parts(self, ahu: Entity) -> tuple[list[Entity], list[Entity]]:
        """The fans and coils on an AHU's supply branches, also those inside a unitary system or
        a coil system there (not the outdoor-air system's)."""
        fans: list[Entity] = []
        coils: list[Entity] = []
        for eplus_type, name in self._branch_components(ahu):
            direct = self.find(eplus_type, name)
            if direct is not None and direct.kind in ("fan", "coil"):
                (fans if direct.kind == "fan" else coils).append(direct)
                continue
            fields = self._lookup(eplus_type, name) or {}
            for key, value in fields.items():
                if not isinstance(value, str):
                    continue
                if key.endswith("fan_name") and (fan := self.find_any(value, "fan")):
                    fans.append(fan)
                elif key.endswith("coil_name") and (coil := self.find_any(value, "coil")):
                    coils.append(coil)
        return _unique(fans), _unique(coils)

    def ahu_of(self, entity: Entity) -> Entity | None:
        """The AHU whose supply branches hold the fan or coil `entity`."""
        for ahu in self.of_kind("ahu"):
            fans, coils = self.ahu_parts(ahu)
            if entity in fans or entity in coils:
                return ahu
        return None

    def served(self, ahu: Entity) -> tuple[list[Entity], list[Entity]]:
        """The terminals and zones an AHU feeds: through its supply paths, zone splitters and
        supply plenums to the terminals' inlets, and from the terminals (by their air
        distribution units and zone equipment lists) to the zones."""
        nodes = self._node_names(self.obj(ahu).get("demand_side_inlet_node_names"))
        paths = [
            fields
            for fields in (self.epjson.get("AirLoopHVAC:SupplyPath") or {}).values()
            if str(fields.get("supply_air_path_inlet_node_name", "")).upper() in nodes
        ]
        reached = set(nodes)
        grew = True
        while grew:  # splitters and plenums may follow each other
            grew = False
            for path in paths:
                for component in path.get("components", []):
                    fields = self._lookup(
                        component.get("component_object_type", ""),
                        component.get("component_name"),
                    )
                    if not fields or str(fields.get("inlet_node_name", "")).upper() not in reached:
                        continue
                    for outlet in fields.get("nodes", []):
                        name = str(outlet.get("outlet_node_name", "")).upper()
                        if name and name not in reached:
                            reached.add(name)
                            grew = True
        terminals = [
            terminal
            for terminal in self.of_kind("terminal")
            if any(
                key.endswith("inlet_node_name") and str(value).upper() in reached
                for key, value in self.obj(terminal).items()
            )
        ]
        zones = [z for t in terminals for z in self.zones_of_terminal(t)]
        zones += self._zones_with_inlets(reached)
        return terminals, _unique(zones)

    def zones_of_terminal(self, terminal: Entity) -> list[Entity]:
        """The zone a terminal serves (its air distribution unit in the zone's equipment list)."""
        holders = {terminal.name.upper()}
        for name, unit in (self.epjson.get("ZoneHVAC:AirDistributionUnit") or {}).items():
            if _same(unit.get("air_terminal_name"), terminal.name):
                holders.add(name.upper())
        lists = {
            name.upper()
            for name, fields in (self.epjson.get("ZoneHVAC:EquipmentList") or {}).items()
            if any(
                str(item.get("zone_equipment_name", "")).upper() in holders
                for item in fields.get("equipment", [])
            )
        }
        return [
            zone
            for fields in (self.epjson.get("ZoneHVAC:EquipmentConnections") or {}).values()
            if str(fields.get("zone_conditioning_equipment_list_name", "")).upper() in lists
            for zone in self._zones(fields.get("zone_name"))
        ]

    def _zones_with_inlets(self, nodes: set[str]) -> list[Entity]:
        """Zones whose inlet nodes are among `nodes` (air supplied with no terminal)."""
        return [
            zone
            for fields in (self.epjson.get("ZoneHVAC:EquipmentConnections") or {}).values()
            if self._node_names(fields.get("zone_air_inlet_node_or_nodelist_name")) & nodes
            for zone in self._zones(fields.get("zone_name"))
        ]

    # --- coils, zones, schedules ----------------------------------------------------------------

    def coil_control_node(self, coil: Entity) -> str | None:
        """The node whose temperature setpoint a coil controls to, when it is setpoint controlled:
        a DX coil system's sensor node, a heating coil's setpoint node, a water coil
        controller's sensor node. None for a load-controlled coil (a terminal's reheat coil, the
        coils of a unitary system)."""
        for fields in (self.epjson.get("CoilSystem:Cooling:DX") or {}).values():
            if _same(fields.get("cooling_coil_name"), coil.name):
                return _str(fields.get("dx_cooling_coil_system_sensor_node_name"))
        own = self.obj(coil)
        if own.get("temperature_setpoint_node_name"):
            return _str(own["temperature_setpoint_node_name"])
        water_inlet = own.get("water_inlet_node_name")
        if water_inlet:
            for fields in (self.epjson.get("Controller:WaterCoil") or {}).values():
                if _same(fields.get("actuator_node_name"), water_inlet):
                    return _str(fields.get("sensor_node_name"))
        return None

    def thermostat_zones(self, thermostat: Entity) -> list[Entity]:
        return self._zones(self.obj(thermostat).get("zone_or_zonelist_name"))

    def zone_thermostat(self, zone: Entity) -> Entity | None:
        return next(
            (t for t in self.of_kind("thermostat") if zone in self.thermostat_zones(t)), None
        )

    def schedule_users(self, schedule: Entity) -> list[Entity]:
        """Zones and equipment that use a schedule directly (people, lights, equipment, fans,
        coils) or through a thermostat's setpoint object."""
        found: list[Entity] = []
        setpoint_objects: set[str] = set()
        for eplus_type, objects in self.epjson.items():
            if not isinstance(objects, dict):
                continue
            for name, fields in objects.items():
                if not isinstance(fields, dict) or not any(
                    _same(value, schedule.name) for value in fields.values()
                ):
                    continue
                if eplus_type.startswith("ThermostatSetpoint:"):
                    setpoint_objects.add(name.upper())
                own = self.find(eplus_type, name)
                if own is not None and own.kind in ("fan", "coil", "terminal", "ahu"):
                    found.append(own)
                for field in _ZONE_FIELDS:
                    found += self._zones(fields.get(field))
        for thermostat in self.of_kind("thermostat"):
            fields = self.obj(thermostat)
            if any(
                key.startswith("control_")
                and key.endswith("_name")
                and str(v).upper() in setpoint_objects
                for key, v in fields.items()
            ):
                found += [thermostat, *self.thermostat_zones(thermostat)]
        return _unique(found)

    def people_schedules(self) -> list[Entity]:
        """The occupancy schedules (People objects' number-of-people schedules)."""
        names = [
            fields.get("number_of_people_schedule_name")
            for fields in (self.epjson.get("People") or {}).values()
        ]
        found = [
            entity
            for name in names
            if isinstance(name, str)
            for entity in self._by_name.get(name.upper(), [])
            if entity.kind == "schedule"
        ]
        return _unique(found)

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind == kind]

    # --- helpers --------------------------------------------------------------------------------

    def _lookup(self, eplus_type: str, name: object) -> dict[str, Any] | None:
        if not isinstance(name, str):
            return None
        objects = self.epjson.get(eplus_type) or {}
        if name in objects:
            return objects[name]  # type: ignore[no-any-return]
        upper = name.upper()
        return next((f for n, f in objects.items() if n.upper() == upper), None)

    def _node_names(self, name: object) -> set[str]:
        """A node name, or the node names of the NodeList it names, upper case."""
        if not isinstance(name, str):
            return set()
        node_list = self._lookup("NodeList", name)
        if node_list is None:
            return {name.upper()}
        return {str(n.get("node_name", "")).upper() for n in node_list.get("nodes", [])}

    def _zones(self, name: object) -> list[Entity]:
        """The zone `name`, or the zones of the ZoneList it names."""
        if not isinstance(name, str):
            return []
        zone = self.find("Zone", name)
        if zone is not None:
            return [zone]
        zone_list = self._lookup("ZoneList", name) or {}
        return [
            z
            for item in zone_list.get("zones", [])
            if (z := self.find("Zone", str(item.get("zone_name", "")))) is not None
        ]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _unique(entities: Iterable[Entity]) -> list[Entity]:
    return list(dict.fromkeys(entities))
