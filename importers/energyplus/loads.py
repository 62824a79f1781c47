"""Internal loads (people, lights, electric and gas equipment) as zone properties.

Each load object adds its design level to every zone it names (a Zone, a ZoneList, a Space or a
SpaceList) and its schedule to the zone's list of schedules for that load: `people_count` and
`people_schedules`, `lights_w` and `lights_schedules`, and so on (names in the mapping). Design
levels are per zone, before the zone multiplier, as EnergyPlus states them: a level per floor area
is multiplied by the floor area of the zone (of the space, for a Space), an area per person
divides it, and a level per person is multiplied by the zone's people (People are read first).
"""

from __future__ import annotations

from collections import defaultdict

from graphtwin.model import PropertyValue
from importers.energyplus.geometry import space_floor_areas, surfaces
from importers.energyplus.mapping import LoadMethod, LoadRule
from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan
from importers.energyplus.zones import ZoneIndex, zones_named

PEOPLE = "PEOPLE"
"""The load type whose level per zone scales the per-person levels of the others."""


def extract_loads(plan: Plan, zones: ZoneIndex) -> None:
    """Sum every load object's design level and schedules into the properties of its zones."""
    levels: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    schedules: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    space_areas: dict[str, float] | None = None
    mapping = plan.mapping
    for eplus_type, rule in mapping.loads.items():  # People first: the mapping lists it first
        for load in plan.model.objects(eplus_type):
            method = _method(plan, load, rule)
            if method is None:
                continue
            if space_areas is None and _names_spaces(plan, load):
                space_areas = space_floor_areas(surfaces(plan.model))
            for zone_key, area in _targets(plan, load, zones, space_areas or {}):
                value = load.number(method.field) or 0.0
                people = levels[zone_key].get(mapping.loads[PEOPLE].level_property, 0.0)
                levels[zone_key][rule.level_property] += _level(method, value, area, people)
                schedule = load.text(rule.schedule_field)
                listed = schedules[zone_key][rule.schedule_property]
                if schedule and schedule not in listed:
                    listed.append(schedule)
    for zone_key, by_property in levels.items():
        props: dict[str, PropertyValue] = {k: round(v, 6) for k, v in by_property.items()}
        props.update({k: list(v) for k, v in schedules[zone_key].items() if v})
        plan.nodes[zones.ids[zone_key]].properties.update(props)


def _method(plan: Plan, load: EpObject, rule: LoadRule) -> LoadMethod | None:
    named = load.text(rule.method_field)
    if named is None:
        return next(iter(rule.methods.values()))
    method = rule.methods.get(named.upper())
    if method is None:
        plan.warnings.append(
            f"{load.describe()}: design level method {named} is not in the EnergyPlus mapping; "
            "its design level is not recorded"
        )
    return method


def _level(method: LoadMethod, value: float, area: float, people: float) -> float:
    if method.per == "area":
        return value * area
    if method.per == "area_per":
        return area / value if value > 0 else 0.0
    if method.per == "person":
        return value * people
    return value


def _names_spaces(plan: Plan, load: EpObject) -> bool:
    target = load.text(plan.mapping.load_target_field)
    return (
        plan.model.get("Space", target) is not None
        or plan.model.get("SpaceList", target) is not None
    )


def _targets(
    plan: Plan, load: EpObject, zones: ZoneIndex, space_areas: dict[str, float]
) -> list[tuple[str, float]]:
    """(upper-case zone name, floor area the load scales by) for each zone the load names."""
    model = plan.model
    field = plan.mapping.load_target_field
    target = load.text(field)
    spaces: list[EpObject] = []
    if (space := model.get("Space", target)) is not None:
        spaces = [space]
    elif (space_list := model.get("SpaceList", target)) is not None:
        spaces = [
            model.require(
                "Space", str(item.get("space_name", "")), named_by=space_list, field="spaces"
            )
            for item in space_list.items("spaces")
        ]
    if spaces:
        found = []
        for space in spaces:
            zone = model.require(
                "Zone", space.text("zone_name") or "", named_by=space, field="zone_name"
            )
            area = space.number("floor_area") or space_areas.get(space.name.upper(), 0.0)
            found.append((zone.name.upper(), area))
        return found
    return [
        (zone.name.upper(), zones.geometry[zone.name.upper()].floor_area_m2 or 0.0)
        for zone in zones_named(plan, target, load, field)
    ]
