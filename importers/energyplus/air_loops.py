"""Air loops as AHUs: their fans, coils and outdoor-air system, and where their air goes.

Each `AirLoopHVAC` is an AHU that the building CONTAINS. Everything on the branches of its
supply side is a part of it (HAS_PART), unitary systems and DX coil systems through their own
parts; the `AirLoopHVAC:OutdoorAirSystem` is a part with its mixer and heat exchangers as parts.
The supply air leaves through the demand-side inlet node into the loop's `AirLoopHVAC:SupplyPath`,
whose zone splitters and supply plenums lead to the nodes that terminal units take air from:
`supply_nodes` returns them, and zone equipment links each terminal to its AHU by them. A node
field may name a NodeList, as everywhere in EnergyPlus: it stands for its nodes.
"""

from __future__ import annotations

from importers.energyplus.components import branch_components, part_ids
from importers.energyplus.objects import EpObject, node_key
from importers.energyplus.plan import Plan

OA_SYSTEM = "AIRLOOPHVAC:OUTDOORAIRSYSTEM"


def extract_air_loops(plan: Plan) -> dict[str, set[str]]:
    """AHU nodes and their parts; returns AHU twin id -> the (upper-case) node names its supply
    air reaches through its supply path."""
    reached: dict[str, set[str]] = {}
    for loop in plan.model.objects("AirLoopHVAC"):
        outlets = plan.model.node_names(loop.text("supply_side_outlet_node_names"))
        ahu = plan.add(
            "ahu",
            loop,
            keys={"supply_outlet_node": outlets[0]} if outlets else {},
            properties={"supply_outlet_node": outlets[0] if outlets else None},
        )
        plan.link(plan.building_id, "CONTAINS", ahu.twin_id)
        for component in branch_components(plan, loop.text("branch_list_name"), loop):
            if component.type.upper() == OA_SYSTEM:
                plan.link(ahu.twin_id, "HAS_PART", _outdoor_air_system(plan, component))
                continue
            for part in part_ids(plan, component):
                plan.link(ahu.twin_id, "HAS_PART", part)
        reached[ahu.twin_id] = supply_nodes(plan, loop)
    return reached


def supply_nodes(plan: Plan, loop: EpObject) -> set[str]:
    """Every node the loop's supply air reaches from its demand-side inlet node(s) through the
    components of its supply paths (upper-case names)."""
    model = plan.model
    reached = {node_key(n) for n in model.node_names(loop.text("demand_side_inlet_node_names"))}
    steps: list[tuple[str, set[str]]] = []
    for path in model.objects("AirLoopHVAC:SupplyPath"):
        if node_key(path.text("supply_air_path_inlet_node_name") or "") not in reached:
            continue
        for item in path.items("components"):
            component = model.require(
                str(item.get("component_object_type", "")),
                str(item.get("component_name", "")),
                named_by=path,
                field="components",
            )
            step = _supply_step(plan, component)
            if step is not None:
                steps.append(step)
    grew = True
    while grew:
        grew = False
        for inlet, outlets in steps:
            if inlet in reached and not outlets <= reached:
                reached |= outlets
                grew = True
    return reached


def _supply_step(plan: Plan, component: EpObject) -> tuple[str, set[str]] | None:
    fields = plan.mapping.supply_path_components.get(component.type.upper())
    if fields is None:
        plan.warnings.append(
            f"{component.describe()} on a supply path is not in the EnergyPlus mapping: the "
            "terminals beyond it are not linked to their AHU"
        )
        return None
    inlet_field, outlets_field = fields
    model = plan.model
    outlets = {
        node_key(node)
        for item in component.items(outlets_field)
        for node in model.node_names(str(item.get("outlet_node_name") or ""))
    }
    return node_key(component.text(inlet_field) or ""), outlets


def _outdoor_air_system(plan: Plan, system: EpObject) -> str:
    existing = plan.node_of(system)
    if existing is not None:
        return existing.twin_id
    node = plan.add("oa-system", system)
    model = plan.model
    name = system.text("outdoor_air_equipment_list_name")
    equipment = model.require(
        "AirLoopHVAC:OutdoorAirSystem:EquipmentList",
        name or "",
        named_by=system,
        field="outdoor_air_equipment_list_name",
    )
    n = 1
    while (eplus_type := equipment.text(f"component_{n}_object_type")) is not None:
        part_name = equipment.text(f"component_{n}_name") or ""
        part = model.require(eplus_type, part_name, named_by=equipment, field=f"component_{n}_name")
        for part_id in part_ids(plan, part):
            plan.link(node.twin_id, "HAS_PART", part_id)
        n += 1
    return node.twin_id
