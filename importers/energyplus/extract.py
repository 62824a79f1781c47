"""One EnergyPlus model -> a plan of twin nodes and links, each kind of object in turn.

The building and zones come first (everything else refers to zones), then the air loops (their
supply paths tell which AHU feeds which terminal), the zone equipment, the plant loops (whose
demand side finds the coils the air side made), the zones of equipment on no zone's equipment
list (water use connections, placed by what they list), thermostats, internal loads, and last
the flags that decide which points exist. Unknown component types are reported in one warning per
type.
"""

from __future__ import annotations

from importers.energyplus.air_loops import extract_air_loops
from importers.energyplus.controls import extract_thermostats
from importers.energyplus.loads import extract_loads
from importers.energyplus.mapping import EnergyPlusMapping
from importers.energyplus.objects import EpModel
from importers.energyplus.placement import place_listed_equipment
from importers.energyplus.plan import Plan
from importers.energyplus.plant import extract_plant_loops
from importers.energyplus.zone_equipment import extract_zone_equipment
from importers.energyplus.zones import extract_building, extract_zones

MAX_NAMES_IN_WARNING = 10


def build_plan(model: EpModel, mapping: EnergyPlusMapping, *, prefix: str) -> Plan:
    """The plan of `model`; raises an `InputError` naming the object on a broken reference."""
    plan = Plan(model, mapping, prefix)
    extract_building(plan)
    zones = extract_zones(plan)
    air_loops = extract_air_loops(plan)
    extract_zone_equipment(plan, zones, air_loops)
    extract_plant_loops(plan)
    place_listed_equipment(plan, zones)
    extract_thermostats(plan, zones)
    extract_loads(plan, zones)
    if burns_natural_gas(model, mapping):
        plan.nodes[plan.building_id].flags.add("natural_gas")
    plan.warnings.extend(_unknown_warnings(plan))
    return plan


def burns_natural_gas(model: EpModel, mapping: EnergyPlusMapping) -> bool:
    """Whether some object of the model uses natural gas, so that EnergyPlus has a
    NaturalGas:Facility meter."""
    gas = mapping.gas_value.upper()
    for obj in model:
        if obj.type.upper() in mapping.gas_always:
            return True
        if any((obj.text(f) or "").upper() == gas for f in mapping.gas_fields):
            return True
    return False


def _unknown_warnings(plan: Plan) -> list[str]:
    warnings = []
    for eplus_type, names in sorted(plan.unknown.items()):
        shown = ", ".join(f"'{n}'" for n in names[:MAX_NAMES_IN_WARNING])
        more = len(names) - MAX_NAMES_IN_WARNING
        listed = f"{shown} and {more} more" if more > 0 else shown
        warnings.append(
            f"{len(names)} {eplus_type} object(s) are not in the EnergyPlus mapping and were "
            f"imported as generic Equipment: {listed}"
        )
    return warnings
