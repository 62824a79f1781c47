"""Thermostats: `ZoneControl:Thermostat` and the setpoint schedules of its controls.

A thermostat is Equipment that CONTROLS its zone and is LOCATED_IN it, with the names of its
control type schedule and of its heating and cooling setpoint schedules as properties (what a
simulation reads to know the setpoints). A thermostat set on a ZoneList stands for one
thermostat per zone, named `<zone> <thermostat>` as EnergyPlus names them. The zones it controls
get the `thermostat` flag, which gives them setpoint points.
"""

from __future__ import annotations

from importers.energyplus.objects import EpObject
from importers.energyplus.plan import Plan
from importers.energyplus.zones import ZoneIndex, zones_named

MAX_CONTROLS = 4


def extract_thermostats(plan: Plan, zones: ZoneIndex) -> None:
    model = plan.model
    for thermostat in model.objects("ZoneControl:Thermostat"):
        target = thermostat.text("zone_or_zonelist_name")
        controlled = zones_named(plan, target, thermostat, "zone_or_zonelist_name")
        heating, cooling = _setpoint_schedules(plan, thermostat)
        for zone in controlled:
            on_list = model.get("Zone", target) is None
            node = plan.add(
                "thermostat",
                thermostat,
                name=f"{zone.name} {thermostat.name}" if on_list else thermostat.name,
                register=False,
                properties={
                    "control_type_schedule": thermostat.text("control_type_schedule_name"),
                    "heating_setpoint_schedules": heating or None,
                    "cooling_setpoint_schedules": cooling or None,
                },
            )
            zone_id = zones.ids[zone.name.upper()]
            plan.link(node.twin_id, "CONTROLS", zone_id)
            plan.link(node.twin_id, "LOCATED_IN", zone_id)
            plan.nodes[zone_id].flags.add("thermostat")


def _setpoint_schedules(plan: Plan, thermostat: EpObject) -> tuple[list[str], list[str]]:
    heating: list[str] = []
    cooling: list[str] = []
    for n in range(1, MAX_CONTROLS + 1):
        eplus_type = thermostat.text(f"control_{n}_object_type")
        name = thermostat.text(f"control_{n}_name")
        if eplus_type is None or name is None:
            continue
        control = plan.model.require(
            eplus_type, name, named_by=thermostat, field=f"control_{n}_name"
        )
        fields = plan.mapping.thermostat_setpoints.get(control.type.upper())
        if fields is None:
            plan.warnings.append(
                f"{control.describe()} of {thermostat.describe()} is not in the EnergyPlus "
                "mapping: its setpoint schedules are not recorded"
            )
            continue
        for side, found in (("heating", heating), ("cooling", cooling)):
            schedule = control.text(fields[side]) if side in fields else None
            if schedule and schedule not in found:
                found.append(schedule)
    return heating, cooling
