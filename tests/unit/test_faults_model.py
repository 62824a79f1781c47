"""What a faults file can name in a model, and how its objects hang together (ModelIndex), on a
small model written here: one AHU with a DX coil system, a gas heating coil and a fan, feeding
two VAV terminals with reheat through a zone splitter; thermostat in Z1 only; people on a
schedule through a zone list. `tiny_model()` and `tiny_points()` serve the other faults tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphtwin.virtual.faults.model_index import ModelIndex
from graphtwin.virtual.hooks import ActuatorRef
from importers.energyplus.observed import ObservedPoint

PREFIX = "eplus:tiny"


def tiny_model() -> dict[str, Any]:
    def vav(zone: str) -> dict[str, Any]:
        return {
            "air_inlet_node_name": f"{zone} VAV Inlet",
            "air_outlet_node_name": f"{zone} VAV Outlet",
            "reheat_coil_object_type": "Coil:Heating:Electric",
            "reheat_coil_name": f"{zone} Reheat",
        }

    return {
        "Site:Location": {"Denver": {"time_zone": -7.0, "latitude": 39.7, "longitude": -104.7}},
        "Zone": {"Z1": {}, "Z2": {}, "Plenum": {}},
        "ZoneList": {"Offices": {"zones": [{"zone_name": "Z1"}, {"zone_name": "Z2"}]}},
        "AirLoopHVAC": {
            "AHU-1": {
                "branch_list_name": "AHU-1 Branches",
                "demand_side_inlet_node_names": "AHU-1 Demand Inlet",
                "supply_side_outlet_node_names": "AHU-1 Supply Outlet",
            }
        },
        "BranchList": {"AHU-1 Branches": {"branches": [{"branch_name": "AHU-1 Main"}]}},
        "Branch": {
            "AHU-1 Main": {
                "components": [
                    {
                        "component_object_type": "AirLoopHVAC:OutdoorAirSystem",
                        "component_name": "AHU-1 OA",
                    },
                    {
                        "component_object_type": "CoilSystem:Cooling:DX",
                        "component_name": "AHU-1 CoolSys",
                    },
                    {"component_object_type": "Coil:Heating:Fuel", "component_name": "AHU-1 Heat"},
                    {"component_object_type": "Fan:VariableVolume", "component_name": "AHU-1 Fan"},
                ]
            }
        },
        "CoilSystem:Cooling:DX": {
            "AHU-1 CoolSys": {
                "cooling_coil_object_type": "Coil:Cooling:DX:TwoSpeed",
                "cooling_coil_name": "AHU-1 DX",
                "dx_cooling_coil_system_sensor_node_name": "AHU-1 DX Outlet",
            }
        },
        "Coil:Cooling:DX:TwoSpeed": {"AHU-1 DX": {"air_outlet_node_name": "AHU-1 DX Outlet"}},
        "Coil:Heating:Fuel": {"AHU-1 Heat": {"temperature_setpoint_node_name": "AHU-1 Heat Out"}},
        "Coil:Heating:Electric": {"Z1 Reheat": {}, "Z2 Reheat": {}},
        "Fan:VariableVolume": {"AHU-1 Fan": {"fan_total_efficiency": 0.6}},
        "AirLoopHVAC:SupplyPath": {
            "AHU-1": {
                "supply_air_path_inlet_node_name": "AHU-1 Demand Inlet",
                "components": [
                    {
                        "component_object_type": "AirLoopHVAC:ZoneSplitter",
                        "component_name": "AHU-1 Splitter",
                    }
                ],
            }
        },
        "AirLoopHVAC:ZoneSplitter": {
            "AHU-1 Splitter": {
                "inlet_node_name": "AHU-1 Demand Inlet",
                "nodes": [
                    {"outlet_node_name": "Z1 VAV Inlet"},
                    {"outlet_node_name": "Z2 VAV Inlet"},
                ],
            }
        },
        "AirTerminal:SingleDuct:VAV:Reheat": {"Z1 VAV": vav("Z1"), "Z2 VAV": vav("Z2")},
        "ZoneHVAC:AirDistributionUnit": {
            "Z1 ADU": {"air_terminal_name": "Z1 VAV"},
            "Z2 ADU": {"air_terminal_name": "Z2 VAV"},
        },
        "ZoneHVAC:EquipmentList": {
            "Z1 Equipment": {"equipment": [{"zone_equipment_name": "Z1 ADU"}]},
            "Z2 Equipment": {"equipment": [{"zone_equipment_name": "Z2 ADU"}]},
        },
        "ZoneHVAC:EquipmentConnections": {
            "c1": {"zone_name": "Z1", "zone_conditioning_equipment_list_name": "Z1 Equipment"},
            "c2": {"zone_name": "Z2", "zone_conditioning_equipment_list_name": "Z2 Equipment"},
        },
        "ZoneControl:Thermostat": {
            "Z1 Thermostat": {"zone_or_zonelist_name": "Z1", "control_1_name": "Z1 Dual"}
        },
        "ThermostatSetpoint:DualSetpoint": {
            "Z1 Dual": {
                "heating_setpoint_temperature_schedule_name": "HTGSETP",
                "cooling_setpoint_temperature_schedule_name": "CLGSETP",
            }
        },
        "People": {
            "Office People": {
                "zone_or_zonelist_or_space_or_spacelist_name": "Offices",
                "number_of_people_schedule_name": "OCC",
            }
        },
        "Schedule:Compact": {"OCC": {}, "HTGSETP": {}, "CLGSETP": {}, "ALWAYS_ON": {}},
    }


def tiny_points() -> list[ObservedPoint]:
    def point(parent: str, kind: str, brick_class: str, unit: str, variable: str, key: str):
        parent_id = f"{PREFIX}/{parent}"
        return ObservedPoint(
            f"{parent_id}/{kind}", kind, parent_id, brick_class, unit, variable, key
        )

    return [
        point("building/tiny", "outdoor-air-temperature", "Outside_Air_Temperature_Sensor", "C",
              "Site Outdoor Air Drybulb Temperature", "Environment"),
        point("zone/Z1", "air-temperature", "Zone_Air_Temperature_Sensor", "C",
              "Zone Air Temperature", "Z1"),
        point("zone/Z2", "air-temperature", "Zone_Air_Temperature_Sensor", "C",
              "Zone Air Temperature", "Z2"),
        point("zone/Z1", "cooling-setpoint", "Cooling_Zone_Air_Temperature_Setpoint", "C",
              "Zone Thermostat Cooling Setpoint Temperature", "Z1"),
        point("ahu/AHU-1", "supply-air-temperature", "Supply_Air_Temperature_Sensor", "C",
              "System Node Temperature", "AHU-1 Supply Outlet"),
        point("fan/AHU-1_Fan", "power", "Electric_Power_Sensor", "W", "Fan Electricity Rate",
              "AHU-1 Fan"),
    ]  # fmt: skip


def tiny_actuators() -> set[ActuatorRef]:
    """What EnergyPlus would offer for the tiny model (the parts faults use)."""
    return {
        ActuatorRef("Fan", "Fan Air Mass Flow Rate", "AHU-1 FAN"),
        ActuatorRef("Fan", "Fan Total Efficiency", "AHU-1 FAN"),
        ActuatorRef("System Node Setpoint", "Temperature Setpoint", "AHU-1 DX OUTLET"),
        ActuatorRef("System Node Setpoint", "Temperature Setpoint", "AHU-1 HEAT OUT"),
        ActuatorRef("Zone Temperature Control", "Heating Setpoint", "Z1"),
        ActuatorRef("Zone Temperature Control", "Cooling Setpoint", "Z1"),
        ActuatorRef("Schedule:Compact", "Schedule Value", "OCC"),
    }


@pytest.fixture
def index() -> ModelIndex:
    return ModelIndex(tiny_model(), tiny_points(), prefix=PREFIX)


def _ids(entities) -> list[str]:
    return [e.twin_id for e in entities]


def test_an_ahu_serves_the_terminals_and_zones_its_supply_path_reaches(index):
    terminals, zones = index.served(index.find("AirLoopHVAC", "ahu-1"))
    assert _ids(terminals) == [f"{PREFIX}/terminal/Z1_VAV", f"{PREFIX}/terminal/Z2_VAV"]
    assert _ids(zones) == [f"{PREFIX}/zone/Z1", f"{PREFIX}/zone/Z2"]


def test_an_ahus_parts_include_the_coil_inside_its_coil_system(index):
    fans, coils = index.ahu_parts(index.find("AirLoopHVAC", "AHU-1"))
    assert [f.name for f in fans] == ["AHU-1 Fan"]
    assert [c.name for c in coils] == ["AHU-1 DX", "AHU-1 Heat"]
    assert index.ahu_of(coils[0]).name == "AHU-1"
    assert index.ahu_of(index.find("Coil:Heating:Electric", "Z1 Reheat")) is None


def test_a_coil_controlled_to_a_node_setpoint_has_a_control_node_a_reheat_coil_has_none(index):
    assert index.coil_control_node(index.find("Coil:Cooling:DX:TwoSpeed", "AHU-1 DX")) == (
        "AHU-1 DX Outlet"
    )
    assert (
        index.coil_control_node(index.find("Coil:Heating:Fuel", "AHU-1 Heat")) == "AHU-1 Heat Out"
    )
    assert index.coil_control_node(index.find("Coil:Heating:Electric", "Z1 Reheat")) is None


def test_a_schedule_affects_the_zones_of_the_zone_list_that_uses_it(index):
    users = index.schedule_users(index.find("Schedule:Compact", "OCC"))
    assert _ids(users) == [f"{PREFIX}/zone/Z1", f"{PREFIX}/zone/Z2"]
    setpoint_users = index.schedule_users(index.find("Schedule:Compact", "CLGSETP"))
    assert _ids(setpoint_users) == [f"{PREFIX}/thermostat/Z1_Thermostat", f"{PREFIX}/zone/Z1"]
    assert _ids(index.people_schedules()) == [f"{PREFIX}/schedule/OCC"]


def test_a_zone_knows_its_thermostat(index):
    assert index.zone_thermostat(index.find("Zone", "Z1")).name == "Z1 Thermostat"
    assert index.zone_thermostat(index.find("Zone", "Z2")) is None


def test_targets_resolve_by_twin_id_with_or_without_prefix_and_by_name_in_any_case(index):
    fan_id = f"{PREFIX}/fan/AHU-1_Fan"
    assert _ids(index.candidates(fan_id)) == [fan_id]
    assert _ids(index.candidates("fan/AHU-1_Fan")) == [fan_id]
    assert _ids(index.candidates("ahu-1 fan")) == [fan_id]
    point_id = f"{PREFIX}/zone/Z1/air-temperature"
    assert [p.twin_id for p in index.candidates("zone/Z1/air-temperature")] == [point_id]
    assert index.candidates("AHU-9") == []


def test_the_time_zone_is_the_models_site_location(index):
    assert index.time_zone().utcoffset(None).total_seconds() == -7 * 3600
