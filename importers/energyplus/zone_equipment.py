"""What each zone's equipment list holds: air terminals, zone units and exhaust fans.

A zone's `ZoneHVAC:EquipmentConnections` names its `ZoneHVAC:EquipmentList`. In it:

- a `ZoneHVAC:AirDistributionUnit` holds an air terminal (a VAV box, a constant-volume box, ...):
  the terminal is a node with its reheat coil or fan as parts, it FEEDS the zone and is LOCATED_IN
  it, and the AHU whose supply path reaches the terminal's inlet node FEEDS it;
- a zone unit (fan coil, PTAC, unit heater, ERV, ...) is a node with its fans and coils as parts
  that FEEDS the zone and is LOCATED_IN it;
- an exhaust fan takes air from the zone: the zone FEEDS it, and it is LOCATED_IN the zone.

An air loop that reaches a zone inlet node with no terminal in between FEEDS the zone directly.
"""

from __future__ import annotations

from importers.energyplus.components import component_id, part_ids, resolve_parts
from importers.energyplus.mapping import UnitRule
from importers.energyplus.objects import EpObject, node_key
from importers.energyplus.plan import Plan
from importers.energyplus.zones import ZoneIndex

AIR_DISTRIBUTION_UNIT = "ZONEHVAC:AIRDISTRIBUTIONUNIT"


def extract_zone_equipment(plan: Plan, zones: ZoneIndex, air_loops: dict[str, set[str]]) -> None:
    model = plan.model
    for connections in model.objects("ZoneHVAC:EquipmentConnections"):
        zone = model.require(
            "Zone", connections.text("zone_name") or "", named_by=connections, field="zone_name"
        )
        zone_id = zones.ids[zone.name.upper()]
        inlets = {
            node_key(n)
            for n in model.node_names(connections.text("zone_air_inlet_node_or_nodelist_name"))
        }
        for ahu_id, reached in air_loops.items():
            if inlets & reached:
                plan.link(ahu_id, "FEEDS", zone_id)
        list_name = connections.text("zone_conditioning_equipment_list_name")
        if list_name is None:
            continue
        equipment_list = model.require(
            "ZoneHVAC:EquipmentList",
            list_name,
            named_by=connections,
            field="zone_conditioning_equipment_list_name",
        )
        for item in equipment_list.items("equipment"):
            equipment = model.require(
                str(item.get("zone_equipment_object_type", "")),
                str(item.get("zone_equipment_name", "")),
                named_by=equipment_list,
                field="equipment",
            )
            _zone_equipment(plan, equipment, zone_id, air_loops)


def _zone_equipment(
    plan: Plan, equipment: EpObject, zone_id: str, air_loops: dict[str, set[str]]
) -> None:
    eplus_type = equipment.type.upper()
    mapping = plan.mapping
    if eplus_type == AIR_DISTRIBUTION_UNIT:
        terminal_id = _terminal(plan, equipment, air_loops)
        plan.link(terminal_id, "FEEDS", zone_id)
        plan.link(terminal_id, "LOCATED_IN", zone_id)
    elif eplus_type in mapping.zone_units:
        unit_id = _unit(plan, equipment, mapping.zone_units[eplus_type])
        plan.link(unit_id, "FEEDS", zone_id)
        plan.link(unit_id, "LOCATED_IN", zone_id)
    elif eplus_type in mapping.zone_exhaust:
        fan_id = component_id(plan, equipment)
        plan.link(zone_id, "FEEDS", fan_id)
        plan.link(fan_id, "LOCATED_IN", zone_id)
    else:
        for part in part_ids(plan, equipment):
            plan.link(part, "FEEDS", zone_id)
            plan.link(part, "LOCATED_IN", zone_id)


def _unit(plan: Plan, unit: EpObject, rule: UnitRule) -> str:
    existing = plan.node_of(unit)
    if existing is not None:
        return existing.twin_id
    node = plan.add("equipment", unit, brick_class=rule.brick_class, flags=rule.flags)
    for part in resolve_parts(plan, unit, rule.parts):
        for part_id in part_ids(plan, part, within=unit):
            plan.link(node.twin_id, "HAS_PART", part_id)
    return node.twin_id


def _terminal(plan: Plan, unit: EpObject, air_loops: dict[str, set[str]]) -> str:
    model = plan.model
    terminal = model.require(
        unit.text("air_terminal_object_type") or "",
        unit.text("air_terminal_name") or "",
        named_by=unit,
        field="air_terminal_name",
    )
    existing = plan.node_of(terminal)
    if existing is not None:
        return existing.twin_id
    rule = plan.mapping.terminals.get(terminal.type.upper())
    if rule is None:
        plan.unknown_object(terminal)
        inlet_fields = tuple(f for f in terminal.fields if f.endswith("inlet_node_name"))
        rule = UnitRule(brick_class=None, parts=(), inlets=inlet_fields)
    outlet = unit.text("air_distribution_unit_outlet_node_name") or terminal.text(
        "air_outlet_node_name"
    )
    node = plan.add(
        "terminal",
        terminal,
        brick_class=rule.brick_class,
        flags=rule.flags,
        keys={"outlet_node": outlet} if outlet else {},
        properties={"eplus_air_distribution_unit": unit.name, "outlet_node": outlet},
    )
    for part in resolve_parts(plan, terminal, rule.parts):
        for part_id in part_ids(plan, part, within=terminal):
            plan.link(node.twin_id, "HAS_PART", part_id)
    inlets = {node_key(n) for f in rule.inlets for n in model.node_names(terminal.text(f))}
    for ahu_id, reached in air_loops.items():
        if inlets & reached:
            plan.link(ahu_id, "FEEDS", node.twin_id)
    return node.twin_id
