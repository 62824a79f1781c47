"""The building, its storeys and its thermal zones.

Zones keep EnergyPlus's floor area, volume and multiplier, and whether they are plenums. A zone
is a plenum when an `AirLoopHVAC:ReturnPlenum` or `AirLoopHVAC:SupplyPlenum` names it: that is
the rule EnergyPlus itself uses (its zone plenum flags), so an unconditioned attic is a zone
without equipment (`is_conditioned` false), not a plenum.

EnergyPlus has no storeys, so they are derived: the floor heights of the zones that count in the
building's floor area (`part_of_total_floor_area`, not plenums) are grouped, within the mapping's
tolerance, into storeys numbered from the lowest; every other zone (plenums, attics) belongs to
the highest storey at or below its floor.
"""

from __future__ import annotations

from dataclasses import dataclass

from importers.energyplus.geometry import ZoneGeometry, surfaces_by_zone, zone_geometry
from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan

PLENUM_TYPES = ("AirLoopHVAC:ReturnPlenum", "AirLoopHVAC:SupplyPlenum")


@dataclass(frozen=True, slots=True)
class ZoneIndex:
    ids: dict[str, str]
    """Upper-case zone name -> twin id."""
    geometry: dict[str, ZoneGeometry]
    """Upper-case zone name -> what its surfaces give."""


def extract_building(plan: Plan) -> str:
    """The Building node (EnergyPlus requires exactly one Building object)."""
    buildings = plan.model.objects("Building")
    if not buildings:
        raise plan.model.error("the model has no Building object, which EnergyPlus requires")
    building = buildings[0]
    node = plan.add(
        "building",
        building,
        properties={
            "north_axis_deg": building.number("north_axis"),
            "terrain": building.text("terrain"),
        },
    )
    plan.building_id = node.twin_id
    return node.twin_id


def extract_zones(plan: Plan) -> ZoneIndex:
    """Zone nodes with their geometry, grouped into storeys that the building CONTAINS."""
    model = plan.model
    plenums = {(p.text("zone_name") or "").upper() for t in PLENUM_TYPES for p in model.objects(t)}
    conditioned = {
        (c.text("zone_name") or "").upper() for c in model.objects("ZoneHVAC:EquipmentConnections")
    }
    by_zone = surfaces_by_zone(model)
    ids: dict[str, str] = {}
    geometry: dict[str, ZoneGeometry] = {}
    counted: dict[str, bool] = {}
    for zone in model.objects("Zone"):
        key = zone.name.upper()
        geo = zone_geometry(model, zone, by_zone.get(key, []))
        is_plenum = key in plenums
        counted[key] = (zone.text("part_of_total_floor_area") or "Yes").upper() == "YES"
        node = plan.add(
            "zone",
            zone,
            properties={
                "floor_area_m2": _rounded(geo.floor_area_m2),
                "volume_m3": _rounded(geo.volume_m3),
                "multiplier": int(zone.number("multiplier") or 1),
                "is_plenum": is_plenum,
                "is_conditioned": key in conditioned,
                "part_of_total_floor_area": counted[key],
                "floor_elevation_m": _rounded(geo.floor_z_m),
            },
            flags={"plenum"} if is_plenum else set(),
        )
        missing = [
            k
            for k, v in (("floor_area_m2", geo.floor_area_m2), ("volume_m3", geo.volume_m3))
            if v is None
        ]
        if missing:
            plan.warnings.append(
                f"{zone.describe()}: neither its detailed surfaces nor the Zone object give it "
                f"{' or '.join(missing)}; it has none"
            )
        ids[key] = node.twin_id
        geometry[key] = geo
    _storeys(plan, ids, geometry, {k for k in ids if counted[k] and k not in plenums})
    return ZoneIndex(ids, geometry)


def zones_named(plan: Plan, target: str | None, owner: EpObject, field: str) -> list[EpObject]:
    """The zones a zone-or-ZoneList field names."""
    model = plan.model
    zone = model.get("Zone", target)
    if zone is not None:
        return [zone]
    zone_list = model.get("ZoneList", target)
    if zone_list is None:
        raise model.error(
            f"{field} names '{target}', which is neither a Zone nor a ZoneList", owner
        )
    return [
        model.require("Zone", str(item.get("zone_name", "")), named_by=zone_list, field="zones")
        for item in zone_list.items("zones")
    ]


def _storeys(
    plan: Plan, ids: dict[str, str], geometry: dict[str, ZoneGeometry], defining: set[str]
) -> None:
    tolerance = plan.mapping.storey_tolerance_m
    heights = sorted(geometry[k].floor_z_m for k in (defining or ids))
    levels: list[float] = []
    for z in heights:
        if not levels or z - levels[-1] > tolerance:
            levels.append(z)
    storey_ids = []
    for number, z in enumerate(levels, start=1):
        node = plan.add(
            "floor",
            None,
            name=f"Storey {number}",
            eplus_type="derived:Storey",
            properties={"elevation_m": _rounded(z), "storey_number": number},
        )
        plan.link(plan.building_id, "CONTAINS", node.twin_id)
        storey_ids.append(node.twin_id)
    for key, twin_id in ids.items():
        z = geometry[key].floor_z_m
        below = [i for i, level in enumerate(levels) if level <= z + tolerance]
        plan.link(storey_ids[below[-1] if below else 0], "CONTAINS", twin_id)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
