"""Plant and condenser loops: the equipment that makes hot and chilled water, and what it feeds.

Each `PlantLoop` and `CondenserLoop` is a System the building CONTAINS. What sits on the
branches of its supply side (boilers, chillers, pumps, towers, water heaters) is a part of it
(HAS_PART); what sits on its demand side (the coils of AHUs, terminals and zone units, water
use connections, the condensers of chillers) is what it FEEDS, except its pumps and pipes. A coil
is the same node the air side made, so the graph shows boiler loop -> reheat coil <- VAV box.

The loop's Brick class: a loop serving water use equipment is a domestic hot water loop; else
the loop type of its `Sizing:Plant` (Heating, Cooling, Condenser) decides; else its object type.
"""

from __future__ import annotations

from importers.energyplus.components import branch_components, part_ids
from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan


def extract_plant_loops(plan: Plan) -> None:
    model = plan.model
    sizing = {
        (s.text("plant_or_condenser_loop_name") or "").upper(): s.text("loop_type")
        for s in model.objects("Sizing:Plant")
    }
    for loop_type, rule in plan.mapping.loops.items():
        for loop in model.objects(loop_type):
            supply = branch_components(plan, loop.text(rule.supply_branches), loop)
            demand = branch_components(plan, loop.text(rule.demand_branches), loop)
            sized_as = sizing.get(loop.name.upper())
            node = plan.add(
                "plant-loop",
                loop,
                brick_class=_brick_class(plan, rule.brick_class, sized_as, demand),
                properties={"loop_type": sized_as, "fluid_type": loop.text("fluid_type")},
            )
            plan.link(plan.building_id, "CONTAINS", node.twin_id)
            for component in supply:
                for part in part_ids(plan, component):
                    plan.link(node.twin_id, "HAS_PART", part)
            for component in demand:
                for part in part_ids(plan, component):
                    is_pump = plan.nodes[part].role == "pump"
                    plan.link(node.twin_id, "HAS_PART" if is_pump else "FEEDS", part)


def _brick_class(plan: Plan, default: str, sized_as: str | None, demand: list[EpObject]) -> str:
    mapping = plan.mapping
    if any(c.type.upper() == mapping.loop_domestic_type for c in demand):
        return mapping.loop_domestic_brick_class
    return mapping.loop_types.get((sized_as or "").upper(), default)
