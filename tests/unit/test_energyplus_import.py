"""The EnergyPlus importer's mapping on small epJSON models written here (no EnergyPlus run,
except where EnergyPlus's own converter checks a field name the bundled models never use)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

from graphtwin.errors import InputError, SchemaViolationError
from graphtwin.model import SourceInfo, TwinGraph
from importers.energyplus.extract import build_plan
from importers.energyplus.graph import to_graph
from importers.energyplus.mapping import energyplus_mapping
from importers.energyplus.objects import EpModel
from importers.energyplus.points import observed_points, points_of
from tests.conftest import ROOT

PREFIX = "eplus:tiny"
BRICK = json.loads((ROOT / "ontologies" / "brick_classes.json").read_text("utf-8"))["classes"]


def box(zone: str, x: float, y: float, z: float, top: float, **ceiling: str) -> dict[str, Any]:
    """The six surfaces of a box zone of x by y metres from height z to top (vertices seen from
    outside, counterclockwise). `ceiling` sets the top's boundary (a zone above)."""

    def surface(kind: str, points: list[tuple[float, float, float]], **extra: str) -> dict:
        vertices = [
            {"vertex_x_coordinate": px, "vertex_y_coordinate": py, "vertex_z_coordinate": pz}
            for px, py, pz in points
        ]
        return {"zone_name": zone, "surface_type": kind, "vertices": vertices, **extra}

    top_kind = "Ceiling" if ceiling else "Roof"
    return {
        f"{zone} floor": surface("Floor", [(0, 0, z), (0, y, z), (x, y, z), (x, 0, z)]),
        f"{zone} top": surface(
            top_kind, [(0, 0, top), (x, 0, top), (x, y, top), (0, y, top)], **ceiling
        ),
        f"{zone} south": surface("Wall", [(0, 0, top), (0, 0, z), (x, 0, z), (x, 0, top)]),
        f"{zone} east": surface("Wall", [(x, 0, top), (x, 0, z), (x, y, z), (x, y, top)]),
        f"{zone} north": surface("Wall", [(x, y, top), (x, y, z), (0, y, z), (0, y, top)]),
        f"{zone} west": surface("Wall", [(0, y, top), (0, y, z), (0, 0, z), (0, 0, top)]),
    }


def branch(*components: tuple[str, str]) -> dict[str, Any]:
    return {
        "components": [{"component_object_type": t, "component_name": n} for t, n in components]
    }


def tiny_office() -> dict[str, Any]:
    """Two storeys: an office with a ceiling void above it (a supply plenum), an unconditioned
    room upstairs. One AHU feeds the office's VAV box through a splitter and the plenum; a hot
    water loop feeds the box's reheat coil."""
    void = box("Ceiling Void", 10, 5, 3, 4)
    del void["Ceiling Void floor"]  # the office's ceiling, mirrored, is its floor
    return {
        "Version": {"Version 1": {"version_identifier": "25.2"}},
        "Building": {"Tiny": {"north_axis": 0.0, "terrain": "City"}},
        "GlobalGeometryRules": {"GlobalGeometryRules 1": {"coordinate_system": "Relative"}},
        "Zone": {"Office": {}, "Ceiling Void": {}, "Upstairs": {"z_origin": 4.0}},
        "BuildingSurface:Detailed": {
            **box(
                "Office",
                10,
                5,
                0,
                3,
                outside_boundary_condition="Zone",
                outside_boundary_condition_object="Ceiling Void",
            ),
            **void,
            **box("Upstairs", 10, 5, 0, 3),
        },
        "AirLoopHVAC": {
            "AHU 1": {
                "branch_list_name": "AHU 1 Branches",
                "supply_side_outlet_node_names": "AHU 1 Supply Outlet",
                "demand_side_inlet_node_names": "AHU 1 Demand Inlet",
            }
        },
        "BranchList": {
            "AHU 1 Branches": {"branches": [{"branch_name": "AHU 1 Main"}]},
            "HW Supply": {"branches": [{"branch_name": "HW Supply Main"}]},
            "HW Demand": {"branches": [{"branch_name": "HW Demand Main"}]},
        },
        "Branch": {
            "AHU 1 Main": branch(
                ("AirLoopHVAC:OutdoorAirSystem", "AHU 1 OA"),
                ("CoilSystem:Cooling:DX", "AHU 1 Cooling"),
                ("Fan:VariableVolume", "AHU 1 Fan"),
                ("Duct", "AHU 1 Duct"),
            ),
            "HW Supply Main": branch(
                ("Pump:VariableSpeed", "HW Pump"),
                ("Boiler:HotWater", "Boiler"),
                ("Pipe:Adiabatic", "HW Bypass"),
            ),
            "HW Demand Main": branch(("COIL:HEATING:WATER", "OFFICE REHEAT")),
        },
        "AirLoopHVAC:OutdoorAirSystem": {
            "AHU 1 OA": {"outdoor_air_equipment_list_name": "AHU 1 OA Equipment"}
        },
        "AirLoopHVAC:OutdoorAirSystem:EquipmentList": {
            "AHU 1 OA Equipment": {
                "component_1_object_type": "OutdoorAir:Mixer",
                "component_1_name": "AHU 1 Mixer",
            }
        },
        "OutdoorAir:Mixer": {"AHU 1 Mixer": {}},
        "CoilSystem:Cooling:DX": {
            "AHU 1 Cooling": {
                "cooling_coil_object_type": "Coil:Cooling:DX:SingleSpeed",
                "cooling_coil_name": "AHU 1 DX",
            }
        },
        "Coil:Cooling:DX:SingleSpeed": {"AHU 1 DX": {}},
        "Fan:VariableVolume": {"AHU 1 Fan": {}},
        "Duct": {"AHU 1 Duct": {}},
        "AirLoopHVAC:SupplyPath": {
            "AHU 1 Supply Path": {
                "supply_air_path_inlet_node_name": "AHU 1 Demand Inlet",
                "components": [
                    {"component_object_type": "AirLoopHVAC:ZoneSplitter", "component_name": "S"},
                    {"component_object_type": "AirLoopHVAC:SupplyPlenum", "component_name": "P"},
                ],
            }
        },
        "AirLoopHVAC:ZoneSplitter": {
            "S": {"inlet_node_name": "AHU 1 Demand Inlet", "nodes": [{"outlet_node_name": "P In"}]}
        },
        "AirLoopHVAC:SupplyPlenum": {
            "P": {
                "zone_name": "Ceiling Void",
                "inlet_node_name": "p in",
                "nodes": [{"outlet_node_name": "Box Inlets"}],
            }
        },
        "NodeList": {"Box Inlets": {"nodes": [{"node_name": "Box Inlet"}]}},
        "ZoneHVAC:EquipmentConnections": {
            "Office Connections": {
                "zone_name": "OFFICE",
                "zone_conditioning_equipment_list_name": "Office Equipment",
                "zone_air_inlet_node_or_nodelist_name": "Box Outlet",
            }
        },
        "ZoneHVAC:EquipmentList": {
            "Office Equipment": {
                "equipment": [
                    {
                        "zone_equipment_object_type": "ZoneHVAC:AirDistributionUnit",
                        "zone_equipment_name": "Office ADU",
                    },
                    {
                        "zone_equipment_object_type": "Fan:ZoneExhaust",
                        "zone_equipment_name": "Office Exhaust",
                    },
                ]
            }
        },
        "ZoneHVAC:AirDistributionUnit": {
            "Office ADU": {
                "air_distribution_unit_outlet_node_name": "Box Outlet",
                "air_terminal_object_type": "AirTerminal:SingleDuct:VAV:Reheat",
                "air_terminal_name": "Office VAV",
            }
        },
        "AirTerminal:SingleDuct:VAV:Reheat": {
            "Office VAV": {
                "air_inlet_node_name": "box inlet",
                "air_outlet_node_name": "Box Outlet",
                "reheat_coil_object_type": "Coil:Heating:Water",
                "reheat_coil_name": "Office Reheat",
            }
        },
        "Coil:Heating:Water": {"Office Reheat": {}},
        "Fan:ZoneExhaust": {"Office Exhaust": {}},
        "PlantLoop": {
            "Hot Water": {
                "plant_side_branch_list_name": "HW Supply",
                "demand_side_branch_list_name": "HW Demand",
                "fluid_type": "Water",
            }
        },
        "Pump:VariableSpeed": {"HW Pump": {}},
        "Boiler:HotWater": {"Boiler": {"fuel_type": "NaturalGas"}},
        "Pipe:Adiabatic": {"HW Bypass": {}},
        "Sizing:Plant": {
            "Sizing:Plant 1": {"plant_or_condenser_loop_name": "Hot Water", "loop_type": "Heating"}
        },
        "ZoneControl:Thermostat": {
            "Office Thermostat": {
                "zone_or_zonelist_name": "Office",
                "control_type_schedule_name": "Control Type",
                "control_1_object_type": "ThermostatSetpoint:DualSetpoint",
                "control_1_name": "Office Setpoints",
            }
        },
        "ThermostatSetpoint:DualSetpoint": {
            "Office Setpoints": {
                "heating_setpoint_temperature_schedule_name": "Heat SP",
                "cooling_setpoint_temperature_schedule_name": "Cool SP",
            }
        },
        "ZoneList": {"Occupied": {"zones": [{"zone_name": "Office"}, {"zone_name": "Upstairs"}]}},
        "People": {
            "Office People": {
                "zone_or_zonelist_or_space_or_spacelist_name": "Office",
                "number_of_people_calculation_method": "Area/Person",
                "floor_area_per_person": 25.0,
                "number_of_people_schedule_name": "Occupancy",
            }
        },
        "Lights": {
            "All Lights": {
                "zone_or_zonelist_or_space_or_spacelist_name": "Occupied",
                "design_level_calculation_method": "Watts/Area",
                "watts_per_floor_area": 10.0,
                "schedule_name": "Lighting A",
            },
            "Desk Lamps": {
                "zone_or_zonelist_or_space_or_spacelist_name": "Office",
                "lighting_level": 100.0,
                "schedule_name": "Lighting B",
            },
        },
        "ElectricEquipment": {
            "Laptops": {
                "zone_or_zonelist_or_space_or_spacelist_name": "Office",
                "design_level_calculation_method": "Watts/Person",
                "watts_per_person": 60.0,
                "schedule_name": "Plugs",
            }
        },
    }


def graph_of(document: dict[str, Any]) -> TwinGraph:
    plan = build_plan(EpModel(document, file="tiny.epJSON"), energyplus_mapping(), prefix=PREFIX)
    graph = to_graph(plan, points_of(plan), SourceInfo("energyplus:tiny", "energyplus", "t", "0"))
    graph.warnings.extend(plan.warnings)
    graph.annotations["left_out"] = dict(plan.left_out)
    return graph


def tid(kind: str, name: str) -> str:
    return f"{PREFIX}/{kind}/{name.replace(' ', '_')}"


def ends(graph: TwinGraph, start: str, rel_type: str) -> set[str]:
    return {r.end for r in graph.iter_relationships() if r.start == start and r.type == rel_type}


@pytest.fixture(scope="module")
def tiny() -> TwinGraph:
    return graph_of(tiny_office())


def test_floor_area_and_volume_follow_energyplus_rules_mirrored_ceilings_included(tiny):
    office = tiny.nodes[tid("zone", "Office")].properties
    void = tiny.nodes[tid("zone", "Ceiling Void")].properties
    assert (office["floor_area_m2"], office["volume_m3"]) == (50.0, 150.0)
    assert (void["floor_area_m2"], void["volume_m3"]) == (50.0, 50.0)  # floor: office ceiling
    document = tiny_office()
    document["Zone"]["Office"] = {"ceiling_height": 2.5}
    document["Zone"]["Upstairs"] = {"z_origin": 4.0, "volume": 99.0, "floor_area": 40.0}
    graph = graph_of(document)
    assert graph.nodes[tid("zone", "Office")].properties["volume_m3"] == 125.0
    upstairs = graph.nodes[tid("zone", "Upstairs")].properties
    assert (upstairs["floor_area_m2"], upstairs["volume_m3"]) == (40.0, 99.0)


def test_a_plenum_is_what_a_plenum_object_names_and_storeys_come_from_occupied_floors(tiny):
    zone = {
        n: tiny.nodes[tid("zone", n)].properties for n in ("Office", "Ceiling Void", "Upstairs")
    }
    assert [zone[n]["is_plenum"] for n in zone] == [False, True, False]
    assert [zone[n]["is_conditioned"] for n in zone] == [True, False, False]
    assert zone["Upstairs"]["floor_elevation_m"] == 4.0  # the zone origin is added
    first, second = tid("floor", "Storey 1"), tid("floor", "Storey 2")
    assert ends(tiny, first, "CONTAINS") == {tid("zone", "Office"), tid("zone", "Ceiling Void")}
    assert ends(tiny, second, "CONTAINS") == {tid("zone", "Upstairs")}
    assert ends(tiny, tid("building", "Tiny"), "CONTAINS") >= {first, second}


def test_an_ahu_holds_its_parts_and_feeds_its_box_through_splitter_plenum_and_node_list(tiny):
    ahu = tid("ahu", "AHU 1")
    assert ends(tiny, ahu, "HAS_PART") == {
        tid("oa-system", "AHU 1 OA"),
        tid("coil", "AHU 1 DX"),
        tid("fan", "AHU 1 Fan"),
    }
    dx = tiny.nodes[tid("coil", "AHU 1 DX")].properties
    assert (dx["eplus_parent_type"], dx["eplus_parent_name"]) == (
        "CoilSystem:Cooling:DX",
        "AHU 1 Cooling",
    )
    assert ends(tiny, tid("oa-system", "AHU 1 OA"), "HAS_PART") == {tid("equipment", "AHU 1 Mixer")}
    vav = tid("terminal", "Office VAV")
    assert ends(tiny, ahu, "FEEDS") == {vav}
    assert ends(tiny, vav, "FEEDS") == ends(tiny, vav, "LOCATED_IN") == {tid("zone", "Office")}
    assert ends(tiny, vav, "HAS_PART") == {tid("coil", "Office Reheat")}
    assert tiny.nodes[vav].properties["brick_class"] == "Variable_Air_Volume_Box_With_Reheat"
    assert ends(tiny, tid("zone", "Office"), "FEEDS") == {tid("fan", "Office Exhaust")}
    assert tiny.annotations["left_out"] == {"Duct": 1, "Pipe:Adiabatic": 1}


def test_a_hot_water_loop_holds_its_boiler_and_pump_and_feeds_the_reheat_coil(tiny):
    loop = tid("plant-loop", "Hot Water")
    assert tiny.nodes[loop].kind == "System"
    assert tiny.nodes[loop].properties["brick_class"] == "Hot_Water_Loop"
    assert ends(tiny, loop, "HAS_PART") == {tid("pump", "HW Pump"), tid("boiler", "Boiler")}
    assert ends(tiny, loop, "FEEDS") == {tid("coil", "Office Reheat")}  # named in upper case
    assert tiny.nodes[tid("boiler", "Boiler")].properties["brick_class"] == "Natural_Gas_Boiler"


def test_thermostats_and_internal_loads_become_properties_a_simulation_can_read(tiny):
    thermostat = tiny.nodes[tid("thermostat", "Office Thermostat")]
    assert thermostat.properties["heating_setpoint_schedules"] == ["Heat SP"]
    assert thermostat.properties["cooling_setpoint_schedules"] == ["Cool SP"]
    assert thermostat.properties["control_type_schedule"] == "Control Type"
    assert ends(tiny, thermostat.twin_id, "CONTROLS") == {tid("zone", "Office")}
    office = tiny.nodes[tid("zone", "Office")].properties
    assert office["people_count"] == 2.0  # 50 m2 at 25 m2 a person
    assert office["lights_w"] == 600.0  # 10 W/m2 on the zone list, and 100 W of desk lamps
    assert office["lights_schedules"] == ["Lighting A", "Lighting B"]
    assert office["electric_equipment_w"] == 120.0  # 60 W for each of its 2 people
    upstairs = tiny.nodes[tid("zone", "Upstairs")].properties
    assert upstairs["lights_w"] == 500.0 and "people_count" not in upstairs


def test_a_thermostat_on_a_zone_list_is_one_thermostat_per_zone():
    document = tiny_office()
    document["ZoneControl:Thermostat"]["Office Thermostat"]["zone_or_zonelist_name"] = "Occupied"
    graph = graph_of(document)
    for zone in ("Office", "Upstairs"):
        twin_id = tid("thermostat", f"{zone} Office Thermostat")
        assert ends(graph, twin_id, "CONTROLS") == {tid("zone", zone)}


def test_points_follow_the_mapping_and_are_what_observed_points_gives(tiny):
    points = {n.twin_id: n.properties for n in tiny.nodes.values() if n.kind == "Point"}
    office, upstairs = tid("zone", "Office"), tid("zone", "Upstairs")
    assert {p for p in points if p.startswith(f"{office}/")} == {
        f"{office}/{kind}"
        for kind in ("air-temperature", "air-humidity", "heating-setpoint", "cooling-setpoint")
    }
    assert {p for p in points if p.startswith(f"{upstairs}/")} == {
        f"{upstairs}/air-temperature",
        f"{upstairs}/air-humidity",
    }
    assert not any(p.startswith(tid("zone", "Ceiling Void")) for p in points)
    vav = tid("terminal", "Office VAV")
    assert points[f"{vav}/supply-air-flow"]["eplus_key"] == "Box Outlet"
    assert points[f"{vav}/damper-position"]["eplus_key"] == "Office VAV"
    ahu_supply = points[f"{tid('ahu', 'AHU 1')}/supply-air-temperature"]
    assert (ahu_supply["eplus_key"], ahu_supply["unit"]) == ("AHU 1 Supply Outlet", "degC")
    assert points[f"{tid('coil', 'Office Reheat')}/heating-rate"]["unit"] == "W"
    assert f"{tid('coil', 'AHU 1 DX')}/cooling-rate" in points
    assert f"{tid('building', 'Tiny')}/natural-gas" in points  # the boiler burns gas
    observed = observed_points(tiny_office(), prefix=PREFIX)
    assert {p.twin_id for p in observed} == set(points)
    for point in observed:
        node = points[point.twin_id]
        assert (node["eplus_variable"], node["eplus_key"]) == (point.variable, point.key)
        assert (point.parent, "HAS_POINT", point.twin_id) in tiny.relationships


def test_a_model_without_gas_has_no_gas_meter_and_a_constant_volume_box_no_damper():
    document = tiny_office()
    document["Boiler:HotWater"]["Boiler"]["fuel_type"] = "Electricity"
    box_type = "AirTerminal:SingleDuct:ConstantVolume:NoReheat"
    document["ZoneHVAC:AirDistributionUnit"]["Office ADU"]["air_terminal_object_type"] = box_type
    document[box_type] = {"Office VAV": {"air_inlet_node_name": "Box Inlet"}}
    points = {p.twin_id for p in observed_points(document, prefix=PREFIX)}
    assert f"{tid('building', 'Tiny')}/electricity" in points
    assert f"{tid('building', 'Tiny')}/natural-gas" not in points
    assert f"{tid('terminal', 'Office VAV')}/damper-position" not in points
    assert f"{tid('terminal', 'Office VAV')}/supply-air-flow" in points


def test_an_unknown_component_is_generic_equipment_and_one_warning_names_each_of_its_kind():
    document = tiny_office()
    pads = {"Pad 1": {}, "Pad 2": {}}
    document["EvaporativeCooler:Direct:CelDekPad"] = pads
    components = document["Branch"]["AHU 1 Main"]["components"]
    components += branch(*(("EvaporativeCooler:Direct:CelDekPad", n) for n in pads))["components"]
    graph = graph_of(document)
    [warning] = graph.warnings
    assert warning.startswith("2 EvaporativeCooler:Direct:CelDekPad object(s)")
    assert "'Pad 1', 'Pad 2'" in warning
    for name in pads:
        node = graph.nodes[tid("equipment", name)]
        assert node.kind == "Equipment" and "brick_class" not in node.properties
        assert node.twin_id in ends(graph, tid("ahu", "AHU 1"), "HAS_PART")


def test_objects_whose_ids_would_clash_get_distinct_ids_and_a_warning():
    document = tiny_office()
    document["CoolingTower:SingleSpeed"] = {"Tower": {}}
    document["FluidCooler:TwoSpeed"] = {"Tower": {}}
    document["Branch"]["HW Supply Main"]["components"] += branch(
        ("CoolingTower:SingleSpeed", "Tower"), ("FluidCooler:TwoSpeed", "Tower")
    )["components"]
    graph = graph_of(document)
    towers = ends(graph, tid("plant-loop", "Hot Water"), "HAS_PART") - {
        tid("pump", "HW Pump"),
        tid("boiler", "Boiler"),
    }
    assert towers == {tid("tower", "Tower"), tid("tower", "Tower FluidCooler:TwoSpeed")}
    [warning] = graph.warnings
    assert "FluidCooler:TwoSpeed 'Tower'" in warning and tid("tower", "Tower") in warning


@pytest.mark.parametrize(
    ("change", "entity", "reason"),
    [
        (
            lambda d: d["Branch"]["AHU 1 Main"]["components"].append(
                {"component_object_type": "Fan:OnOff", "component_name": "Missing Fan"}
            ),
            "Branch 'AHU 1 Main'",
            "components names Fan:OnOff 'Missing Fan', which the model does not define",
        ),
        (
            lambda d: d["Lights"]["Desk Lamps"].update(
                zone_or_zonelist_or_space_or_spacelist_name="Attic"
            ),
            "Lights 'Desk Lamps'",
            "names 'Attic', which is neither a Zone nor a ZoneList",
        ),
        (lambda d: d.pop("Building"), None, "the model has no Building object"),
    ],
)
def test_a_broken_reference_is_an_input_error_naming_the_object(change, entity, reason):
    document = copy.deepcopy(tiny_office())
    change(document)
    with pytest.raises(SchemaViolationError) as caught:
        graph_of(document)
    assert caught.value.entity == entity
    assert reason in caught.value.reason
    assert (caught.value.file, caught.value.exit_code) == ("tiny.epJSON", 2)


def test_a_file_that_is_not_an_idf_or_epjson_is_refused_before_energyplus_runs(tmp_path):
    from importers.energyplus import EnergyPlusImporter

    path = tmp_path / "model.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match=r"must end in \.idf or \.epJSON"):
        EnergyPlusImporter().parse(path)


def test_every_brick_class_of_the_mapping_exists_in_brick_and_is_not_deprecated():
    mapping = energyplus_mapping()
    for brick_class in mapping.brick_classes():
        assert brick_class in BRICK, brick_class
        assert not BRICK[brick_class].get("deprecated"), brick_class
    for role, rules in mapping.points.items():
        for rule in rules:
            assert BRICK[rule.brick_class]["kind"] == "Point", (role, rule.kind)
    for role in ("ahu", "fan", "coil", "boiler", "chiller", "pump", "tower", "terminal"):
        assert BRICK[mapping.roles[role].brick_class]["kind"] == "Equipment", role


def test_the_importers_load_without_pyenergyplus():
    probe = (
        "import sys, importers; "
        "assert 'energyplus' in importers.IMPORTERS; "
        "assert not [m for m in sys.modules if m.startswith('pyenergyplus')]"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_energyplus_names_the_load_and_setpoint_fields_as_the_mapping_does(tmp_path):
    """The per-person methods and single setpoints are in none of the bundled models: EnergyPlus's
    own converter tells their epJSON field names."""
    pytest.importorskip("pyenergyplus")
    from importers.energyplus.loading import load_epjson

    idf = tmp_path / "FIELDS.IDF"  # the suffix in any case
    idf.write_text(
        "Version, 25.2;\nBuilding, B;\n"
        "GlobalGeometryRules, UpperLeftCorner, Counterclockwise, Relative;\n"
        "Lights, L, Z, S, Watts/Person, , , 12.5;\n"
        "ElectricEquipment, E, Z, S, Watts/Person, , , 3.5;\n"
        "GasEquipment, G, Z, S, Watts/Person, , , 7.5;\n"
        "People, P, Z, S, People/Area, , 0.05, , , , A;\n"
        "ThermostatSetpoint:SingleHeating, H, HS;\n"
        "ThermostatSetpoint:SingleCooling, C, CS;\n"
        "WaterUse:Equipment, W, , 1e-6, , , , , Z;\n"
        "WaterUse:Connections, WC, In, Out, , , , , , , , W;\n",
        encoding="utf-8",
    )
    document = load_epjson(idf)
    mapping = energyplus_mapping()
    assert document["Lights"]["L"][mapping.loads["LIGHTS"].methods["WATTS/PERSON"].field] == 12.5
    electric = mapping.loads["ELECTRICEQUIPMENT"].methods["WATTS/PERSON"].field
    assert document["ElectricEquipment"]["E"][electric] == 3.5
    gas = mapping.loads["GASEQUIPMENT"].methods["WATTS/PERSON"].field
    assert document["GasEquipment"]["G"][gas] == 7.5
    assert document["People"]["P"][mapping.loads["PEOPLE"].methods["PEOPLE/AREA"].field] == 0.05
    heating = mapping.thermostat_setpoints["THERMOSTATSETPOINT:SINGLEHEATING"]["heating"]
    assert document["ThermostatSetpoint:SingleHeating"]["H"][heating] == "HS"
    cooling = mapping.thermostat_setpoints["THERMOSTATSETPOINT:SINGLECOOLING"]["cooling"]
    assert document["ThermostatSetpoint:SingleCooling"]["C"][cooling] == "CS"
    water = mapping.located_by_listed["WATERUSE:CONNECTIONS"]
    [listed] = document["WaterUse:Connections"]["WC"][water.list_field]
    assert listed[water.name_field] == "W"
    assert document["WaterUse:Equipment"]["W"][water.zone_field] == "Z"


def test_loads_on_spaces_scale_by_the_space_and_a_zone_without_surfaces_is_warned_about():
    document = tiny_office()
    document["Zone"]["Shed"] = {}
    document["Space"] = {"Desk Area": {"zone_name": "Office", "floor_area": 20.0}}
    document["SpaceList"] = {"Desks": {"spaces": [{"space_name": "Desk Area"}]}}
    document["Lights"]["Task Lights"] = {
        "zone_or_zonelist_or_space_or_spacelist_name": "Desks",
        "design_level_calculation_method": "Watts/Area",
        "watts_per_floor_area": 5.0,
        "schedule_name": "Lighting C",
    }
    graph = graph_of(document)
    office = graph.nodes[tid("zone", "Office")].properties
    assert office["lights_w"] == 700.0  # 600 as before, and 5 W/m2 on the 20 m2 space
    assert office["lights_schedules"] == ["Lighting A", "Lighting B", "Lighting C"]
    shed = graph.nodes[tid("zone", "Shed")].properties
    assert "floor_area_m2" not in shed and "volume_m3" not in shed
    [warning] = graph.warnings
    assert warning.startswith("Zone 'Shed': neither its detailed surfaces")
    assert "floor_area_m2 or volume_m3" in warning


def with_water_use(fixtures: dict[str, str | None]) -> dict[str, Any]:
    """The tiny office with a water use connection `Sinks` on its hot water loop's demand side,
    listing one water use equipment per entry of `fixtures` (name -> zone, or None for none)."""
    document = tiny_office()
    document["Branch"]["HW Demand Main"]["components"] += branch(("WaterUse:Connections", "Sinks"))[
        "components"
    ]
    document["WaterUse:Connections"] = {
        "Sinks": {"connections": [{"water_use_equipment_name": name} for name in fixtures]}
    }
    document["WaterUse:Equipment"] = {
        name: {"peak_flow_rate": 1e-6, **({"zone_name": zone} if zone else {})}
        for name, zone in fixtures.items()
    }
    return document


@pytest.mark.parametrize(
    ("fixtures", "zones"),
    [
        ({"Office Sink": "OFFICE", "Office Shower": "Office"}, {"Office"}),
        ({"Office Sink": "Office", "Upstairs Sink": "Upstairs"}, {"Office", "Upstairs"}),
        ({"Outdoor Tap": None}, set()),
    ],
    ids=["one zone", "two zones", "no zone"],
)
def test_a_water_use_connection_is_located_in_the_zones_of_its_water_use_equipment(fixtures, zones):
    graph = graph_of(with_water_use(fixtures))
    sinks = tid("equipment", "Sinks")
    assert sinks in ends(graph, tid("plant-loop", "Hot Water"), "FEEDS")
    assert ends(graph, sinks, "LOCATED_IN") == {tid("zone", zone) for zone in zones}


def test_a_water_use_connection_listing_undefined_equipment_is_an_input_error_naming_it():
    document = with_water_use({"Office Sink": "Office"})
    document["WaterUse:Connections"]["Sinks"]["connections"].append(
        {"water_use_equipment_name": "Missing Sink"}
    )
    with pytest.raises(SchemaViolationError) as caught:
        graph_of(document)
    assert caught.value.entity == "WaterUse:Connections 'Sinks'"
    assert "names 'Missing Sink', which the model defines as none of WaterUse:Equipment" in (
        caught.value.reason
    )
