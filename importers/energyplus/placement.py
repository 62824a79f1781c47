"""Where equipment on no zone's equipment list is: in the zones of the objects it lists.

A `WaterUse:Connections` sits on a plant loop's demand side, on no zone's equipment list, yet
EnergyPlus knows where it is: it lists its `WaterUse:Equipment`, and each of those names its zone.
The mapping's `located_by_listed` says which types are placed this way and through which fields:
the equipment is LOCATED_IN each zone its listed objects name, in the order they are listed (one
zone in every bundled model). Listed objects that name no zone place it nowhere; an object or
zone named but not defined is an input error naming the object that names it. For example the
ASHRAE medium office's connection `Core_bottom sub cat` lists the equipment of the same name,
whose `zone_name` is `Core_bottom`: the connection is LOCATED_IN zone `Core_bottom`.
"""

from __future__ import annotations

from importers.energyplus.mapping import PlacementRule
from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan
from importers.energyplus.zones import ZoneIndex


def place_listed_equipment(plan: Plan, zones: ZoneIndex) -> None:
    """LOCATED_IN links for the imported objects of every `located_by_listed` type."""
    for eplus_type, rule in plan.mapping.located_by_listed.items():
        for obj in plan.model.objects(eplus_type):
            node = plan.node_of(obj)
            if node is None:  # on no loop: not imported, so nothing to place
                continue
            for zone_id in _zone_ids(plan, obj, rule, zones):
                plan.link(node.twin_id, "LOCATED_IN", zone_id)


def _zone_ids(plan: Plan, obj: EpObject, rule: PlacementRule, zones: ZoneIndex) -> list[str]:
    model = plan.model
    found: list[str] = []
    for item in obj.items(rule.list_field):
        name = item.get(rule.name_field)
        if not isinstance(name, str) or not name.strip():
            continue
        listed = model.find(rule.types, name)
        if listed is None:
            raise model.error(
                f"{rule.list_field} names '{name.strip()}', which the model defines as none of "
                f"{', '.join(rule.types)}",
                obj,
            )
        zone_name = listed.text(rule.zone_field)
        if zone_name is None:
            continue
        zone = model.require("Zone", zone_name, named_by=listed, field=rule.zone_field)
        zone_id = zones.ids[zone.name.upper()]
        if zone_id not in found:
            found.append(zone_id)
    return found
