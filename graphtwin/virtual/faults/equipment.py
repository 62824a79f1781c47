"""Equipment faults and actions: which EnergyPlus actuators each sets, to what, and what it
affects.

What EnergyPlus offers was checked against `api.exchange.get_api_data` of the ASHRAE medium and
small offices (EnergyPlus 25.2), and each choice below was seen to change the simulation:

- trip: every supply fan of the AHU (or the one fan) gets `Fan` / `Fan Air Mass Flow Rate` = 0:
  no air, no fan power, no coil load, the zones drift. (`AirLoopHVAC` / `Availability Status`
  exists too, but the availability managers overwrite it after the start of the system
  timestep, where the engine sets actuators: set there it changes nothing.)
- coil_failure: the setpoint the coil controls to (`System Node Setpoint` /
  `Temperature Setpoint` on its control node) goes out of reach, 60 C for a cooling coil and
  -60 C for a heating coil, so the coil stays off. The setpoint managers write node setpoints
  every system timestep, so this holds only when the engine sets actuators again after the HVAC
  managers (see graphtwin/virtual/hooks.py). Load-controlled coils (a terminal's reheat coil,
  a unitary system's coils) have no actuator of their own and are refused.
- setpoint_change: `Zone Temperature Control` / `Heating Setpoint` and `Cooling Setpoint`.
- schedule_change: `<schedule type>` / `Schedule Value`.
- degradation: `Fan` / `Fan Total Efficiency` at `fraction` times the design efficiency: the
  same air for 1/fraction the power.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphtwin.errors import InputError
from graphtwin.virtual.faults.model_index import Entity, ModelIndex
from graphtwin.virtual.hooks import ActuatorRef

FAILED_COOLING_SETPOINT = 60.0
FAILED_HEATING_SETPOINT = -60.0
DEFAULT_FAN_EFFICIENCY = 0.7
"""EnergyPlus's default fan total efficiency, for a fan that does not give one."""

TARGET_KINDS: dict[str, tuple[str, ...]] = {
    "trip": ("ahu", "fan"),
    "coil_failure": ("coil",),
    "setpoint_change": ("zone", "thermostat"),
    "schedule_change": ("schedule",),
    "degradation": ("fan",),
}


class CannotActError(InputError):
    """The model offers no way to act as the entry asks (said in the message)."""


@dataclass
class Effect:
    settings: list[tuple[ActuatorRef, float]] = field(default_factory=list)
    affected: list[Entity] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def fan_flow(fan: Entity) -> ActuatorRef:
    return ActuatorRef("Fan", "Fan Air Mass Flow Rate", fan.name)


def trip(index: ModelIndex, target: Entity) -> Effect:
    """Stop an AHU (all its supply fans) or one fan."""
    if target.kind == "ahu":
        fans, _ = index.ahu_parts(target)
        if not fans:
            raise CannotActError(f"AHU {target.name!r} has no supply fan for a trip to stop")
        return Effect([(fan_flow(f), 0.0) for f in fans], _with_ahu(index, target))
    ahu = index.ahu_of(target)
    affected = _with_ahu(index, ahu) if ahu else []
    return Effect([(fan_flow(target), 0.0)], [target, *affected])


def coil_failure(index: ModelIndex, coil: Entity) -> Effect:
    """Move the coil's control setpoint out of reach."""
    node = index.coil_control_node(coil)
    if node is None:
        raise CannotActError(
            f"EnergyPlus offers no actuator that fails coil {coil.name!r} ({coil.eplus_type}) "
            "alone: it is load-controlled (by its terminal or unitary system), not controlled "
            "to a node setpoint; trip its fan or AHU instead"
        )
    cooling = "Cooling" in coil.eplus_type
    value = FAILED_COOLING_SETPOINT if cooling else FAILED_HEATING_SETPOINT
    ref = ActuatorRef("System Node Setpoint", "Temperature Setpoint", node)
    ahu = index.ahu_of(coil)
    affected = [coil, *(_with_ahu(index, ahu) if ahu else [])]
    return Effect([(ref, value)], affected, {"control_node": node, "setpoint": value})


def setpoint_change(
    index: ModelIndex, target: Entity, heating: float | None, cooling: float | None
) -> Effect:
    """Set a zone's (or a thermostat's zones') heating and/or cooling setpoints."""
    if target.kind == "thermostat":
        zones, thermostats = index.thermostat_zones(target), [target]
    else:
        thermostat = index.zone_thermostat(target)
        if thermostat is None:
            raise CannotActError(f"zone {target.name!r} has no thermostat (ZoneControl:Thermostat)")
        zones, thermostats = [target], [thermostat]
    settings: list[tuple[ActuatorRef, float]] = []
    for zone in zones:
        if heating is not None:
            settings.append(
                (ActuatorRef("Zone Temperature Control", "Heating Setpoint", zone.name), heating)
            )
        if cooling is not None:
            settings.append(
                (ActuatorRef("Zone Temperature Control", "Cooling Setpoint", zone.name), cooling)
            )
    return Effect(settings, [*zones, *thermostats])


def schedule_change(index: ModelIndex, schedule: Entity, value: float) -> Effect:
    """Hold a schedule at `value`."""
    ref = ActuatorRef(schedule.eplus_type, "Schedule Value", schedule.name)
    return Effect([(ref, value)], [schedule, *index.schedule_users(schedule)])


def degradation(index: ModelIndex, fan: Entity, fraction: float) -> Effect:
    """Run a fan at `fraction` of its design total efficiency."""
    design = index.obj(fan).get("fan_total_efficiency")
    if not isinstance(design, int | float):
        design = DEFAULT_FAN_EFFICIENCY
    value = float(design) * fraction
    ahu = index.ahu_of(fan)
    affected = [fan, *([ahu] if ahu else [])]
    return Effect(
        [(ActuatorRef("Fan", "Fan Total Efficiency", fan.name), value)],
        affected,
        {"design_efficiency": float(design), "efficiency": value},
    )


def _with_ahu(index: ModelIndex, ahu: Entity) -> list[Entity]:
    """An AHU with its fans and coils and the terminals and zones it serves."""
    fans, coils = index.ahu_parts(ahu)
    terminals, zones = index.served(ahu)
    return [ahu, *fans, *coils, *terminals, *zones]
