"""EnergyPlus models into the twin: the importer against EnergyPlus's own listing of a
representative subset of the bundled models, the medium office's FEEDS network, and
`graphtwin import energyplus` into the real Neo4j.

EnergyPlus's listing comes from running each model up to its first system timestep
(benchmarks/energyplus_listing.py says what it holds and how it is compared). The subset, eight
of the 32 bundled models in two processes (about 15 s of CPU), holds between them every object
type, Brick class, relationship pattern, observed variable, zone trait and internal load that
the importer makes from any of the 32; `SUBSET` (in that module) says what each one alone
brings. The check of all 32 is `python -m benchmarks energyplus-import` (docs/benchmarks.md),
run when the importer or its mapping changes; it also says whether the subset still holds
everything the 32 make.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

pytest.importorskip("pyenergyplus")

from benchmarks.energyplus_listing import (
    ASHRAE,
    MODELS,
    REFERENCE,
    SUBSET,
    differences,
    list_models,
)
from graphtwin.model import TwinGraph
from graphtwin.store import TwinStore
from importers.energyplus import EnergyPlusImporter
from importers.energyplus.runtime import convert_to_epjson
from tests.support.graph_state import graph_content_hash

WORKERS = 2


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory):
    """The subset imported and listed by EnergyPlus, in WORKERS processes."""
    return list_models(SUBSET, tmp_path_factory.mktemp("energyplus-listing"), workers=WORKERS)


def _id_kind(twin_id: str) -> str:
    return twin_id.split("/")[1]


def test_the_subset_is_of_bundled_models():
    assert set(SUBSET) <= set(MODELS)


@pytest.mark.parametrize("label", sorted(SUBSET))
def test_the_importer_lists_what_energyplus_lists_for_a_representative_model(label, bundled):
    graph, energyplus = bundled[label]
    assert differences(graph, energyplus) == []


# --- the medium office, as issue 17 describes it -----------------------------------------------


def _targets(graph: TwinGraph, start: str, rel_type: str) -> set[str]:
    return {r.end for r in graph.iter_relationships() if r.start == start and r.type == rel_type}


def _sources(graph: TwinGraph, end: str, rel_type: str) -> set[str]:
    return {r.start for r in graph.iter_relationships() if r.end == end and r.type == rel_type}


def _of_kind(graph: TwinGraph, id_kind: str) -> list[str]:
    return [t for t, n in graph.nodes.items() if n.kind != "Point" and _id_kind(t) == id_kind]


@pytest.fixture(scope="module")
def medium_office() -> TwinGraph:
    return EnergyPlusImporter().parse(Path(ASHRAE["office_medium"]))


def test_the_medium_office_has_18_zones_3_of_them_plenums_on_3_storeys(medium_office):
    graph = medium_office
    zones = _of_kind(graph, "zone")
    plenums = {z for z in zones if graph.nodes[z].properties["is_plenum"]}
    assert len(zones) == 18
    assert sorted(graph.nodes[p].name for p in plenums) == [
        "FirstFloor_Plenum",
        "MidFloor_Plenum",
        "TopFloor_Plenum",
    ]
    storeys = _of_kind(graph, "floor")
    assert len(storeys) == 3
    for storey in storeys:
        held = _targets(graph, storey, "CONTAINS")
        assert len(held) == 6 and len(held & plenums) == 1  # 5 zones and the plenum above them
    for zone in set(zones) - plenums:
        props = graph.nodes[zone].properties
        assert props["people_count"] > 0 and props["lights_w"] > 0  # type: ignore[operator]
        assert props["people_schedules"] and props["lights_schedules"]


def test_each_of_the_3_ahus_feeds_5_vav_boxes_that_each_feed_one_zone_of_its_storey(
    medium_office,
):
    graph = medium_office
    ahus = _of_kind(graph, "ahu")
    terminals = _of_kind(graph, "terminal")
    assert len(ahus) == 3 and len(terminals) == 15
    served: set[str] = set()
    for ahu in ahus:
        parts = {graph.nodes[p].properties["eplus_type"] for p in _targets(graph, ahu, "HAS_PART")}
        assert parts == {
            "AirLoopHVAC:OutdoorAirSystem",
            "Coil:Cooling:DX:TwoSpeed",
            "Coil:Heating:Fuel",
            "Fan:VariableVolume",
        }
        boxes = _targets(graph, ahu, "FEEDS")
        assert len(boxes) == 5 and boxes <= set(terminals)
        storey = graph.nodes[ahu].name.rsplit("_", 1)[-1]  # PACU_VAV_bot, _mid, _top
        for box in boxes:
            props = graph.nodes[box].properties
            assert props["brick_class"] == "Variable_Air_Volume_Box_With_Reheat"
            [zone] = _targets(graph, box, "FEEDS")
            assert _sources(graph, box, "FEEDS") == {ahu}
            assert not graph.nodes[zone].properties["is_plenum"]
            assert storey in graph.nodes[zone].name.lower()
            [coil] = _targets(graph, box, "HAS_PART")
            assert graph.nodes[coil].properties["eplus_type"] == "Coil:Heating:Electric"
            served.add(zone)
    assert len(served) == 15


def test_the_medium_office_points_carry_brick_classes_units_and_their_energyplus_variables(
    medium_office,
):
    graph = medium_office
    points = {t: n.properties for t, n in graph.nodes.items() if n.kind == "Point"}
    by_variable: dict[str, list[dict]] = defaultdict(list)
    for twin_id, props in points.items():
        by_variable[str(props["eplus_variable"])].append({**props, "twin_id": twin_id})
    assert len(by_variable["Zone Air Temperature"]) == 15  # not the plenums
    for props in by_variable["Zone Air Temperature"]:
        assert (props["brick_class"], props["unit"]) == ("Zone_Air_Temperature_Sensor", "degC")
        [zone] = _sources(graph, props["twin_id"], "HAS_POINT")
        assert graph.nodes[zone].properties["eplus_name"] == props["eplus_key"]
    assert len(by_variable["Zone Air Terminal VAV Damper Position"]) == 15
    assert len(by_variable["Zone Thermostat Cooling Setpoint Temperature"]) == 15
    statuses = by_variable["Fan Air Mass Flow Rate"]
    assert len(statuses) == 3
    assert all(
        p["eplus_transform"] == "on_off" and p["brick_class"] == "Fan_Status" for p in statuses
    )
    meters = {str(p["eplus_variable"]): p for p in points.values() if p["eplus_meter"]}
    assert set(meters) == {"Electricity:Facility", "NaturalGas:Facility"}  # it burns gas
    assert all(p["unit"] == "J" and p["eplus_key"] == "" for p in meters.values())
    [outdoor] = by_variable["Site Outdoor Air Drybulb Temperature"]
    assert (outdoor["eplus_key"], outdoor["unit"]) == ("Environment", "degC")
    for props in by_variable["System Node Temperature"]:  # the AHUs' supply air
        assert props["brick_class"] == "Supply_Air_Temperature_Sensor"
        assert str(props["eplus_key"]).endswith("Supply Equipment Outlet Node")
    for twin_id, props in points.items():
        [parent] = _sources(graph, twin_id, "HAS_POINT")
        assert twin_id.startswith(f"{parent}/")
        assert props["brick_class"] and props["eplus_type"] in ("Output:Variable", "Output:Meter")
    unitless = {"Fan Air Mass Flow Rate", "Zone Air Terminal VAV Damper Position"}
    assert all(("unit" in p) != (p["eplus_variable"] in unitless) for p in points.values())
    assert all({"eplus_type", "eplus_name"} <= n.properties.keys() for n in graph.nodes.values())


def test_the_large_offices_boiler_and_chiller_loops_feed_the_coils_of_its_ahus_and_vav_boxes():
    graph = EnergyPlusImporter().parse(Path(REFERENCE["large_office"]))
    loops = {graph.nodes[t].name: t for t in _of_kind(graph, "plant-loop")}
    heating, cooling, tower = loops["HeatSys1"], loops["CoolSys1"], loops["TowerWaterSys"]
    assert graph.nodes[heating].properties["brick_class"] == "Hot_Water_Loop"
    assert graph.nodes[cooling].properties["brick_class"] == "Chilled_Water_Loop"
    assert graph.nodes[tower].properties["brick_class"] == "Condenser_Water_Loop"

    def types(ids: set[str]) -> set[str]:
        return {str(graph.nodes[t].properties["eplus_type"]) for t in ids}

    assert types(_targets(graph, heating, "HAS_PART")) == {"Boiler:HotWater", "Pump:VariableSpeed"}

    def all_of(eplus_type: str) -> set[str]:
        return {t for t, n in graph.nodes.items() if n.properties["eplus_type"] == eplus_type}

    reheat = _targets(graph, heating, "FEEDS")
    assert reheat == all_of("Coil:Heating:Water") and len(reheat) == 16 + 4  # VAV boxes, AHUs
    held_by = {h for c in reheat for h in _sources(graph, c, "HAS_PART")}
    assert {_id_kind(h) for h in held_by} == {"terminal", "ahu"}
    chilled = _targets(graph, cooling, "FEEDS")
    assert chilled == all_of("Coil:Cooling:Water") and len(chilled) == 4
    assert {_id_kind(h) for c in chilled for h in _sources(graph, c, "HAS_PART")} == {"ahu"}
    chillers = [c for c in _targets(graph, cooling, "HAS_PART") if _id_kind(c) == "chiller"]
    assert len(chillers) == 2
    assert all(_sources(graph, c, "FEEDS") == {tower} for c in chillers)  # condenser side


# --- `graphtwin import energyplus` into the real Neo4j -----------------------------------------


def _reports(done) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.neo4j
def test_a_reimport_changes_nothing_and_a_model_energyplus_rejects_exits_2_writing_nothing(
    cli, store: TwinStore, medium_office, tmp_path: Path
):
    office = Path(ASHRAE["office_medium"])
    first = cli("import", "energyplus", office, "--json")
    assert first.returncode == 0, first.stderr
    [report] = _reports(first)
    assert report["format"] == "energyplus"
    assert report["source_id"] == f"energyplus:{office.name}"
    assert report["nodes_created"] == len(medium_office.nodes)
    assert report["rels_created"] == len(medium_office.relationships)
    assert report["eplus_counts"]["terminal"] == 15
    assert report["warnings"] == []
    landed = store.export(source=report["source_id"]).graph
    assert landed.nodes.keys() == medium_office.nodes.keys()
    assert landed.relationships.keys() == medium_office.relationships.keys()
    zone = landed.nodes[next(iter(_of_kind(medium_office, "zone")))]
    assert zone.properties["eplus_type"] == "Zone" and zone.properties["floor_area_m2"] > 0

    again = cli("import", "energyplus", office, "--json")
    assert again.returncode == 0, again.stderr
    [second] = _reports(again)
    assert second["nodes_created"] == second["nodes_updated"] == 0
    assert second["rels_created"] == second["rels_updated"] == 0
    assert second["nodes_unchanged"] == len(medium_office.nodes)

    before = graph_content_hash(store)
    broken = tmp_path / "broken.idf"
    text = Path(ASHRAE["office_small"]).read_text(encoding="utf-8")
    broken.write_text(f"{text}\nZone,\n  Broken Zone,\n  not-a-number;\n", encoding="utf-8")
    done = cli("import", "energyplus", broken, "--json")
    assert done.returncode == 2
    [error] = _reports(done)
    assert error["error"] == "EnergyPlusRejectedError"
    assert error["file"] == str(broken)
    assert "** Severe  **" in error["reason"] and "Broken Zone" in error["reason"]
    assert "not-a-number" in error["reason"]
    assert graph_content_hash(store) == before


@pytest.fixture
def unknown_component_model(tmp_path: Path) -> Path:
    """The small office with an evaporative cooler (a type the mapping does not know) on the
    branch of its first air loop; EnergyPlus's schema accepts it."""
    document = convert_to_epjson(Path(ASHRAE["office_small"]))
    branch_list = document["AirLoopHVAC"]["PSZ-AC:1"]["branch_list_name"]
    branch = document["BranchList"][branch_list]["branches"][0]["branch_name"]
    document["EvaporativeCooler:Direct:CelDekPad"] = {
        "PSZ-AC:1 Evaporative Pad": {
            "direct_pad_area": "Autosize",
            "direct_pad_depth": "Autosize",
            "recirculating_water_pump_power_consumption": 55.0,
            "air_inlet_node_name": "Pad Inlet Node",
            "air_outlet_node_name": "Pad Outlet Node",
        }
    }
    document["Branch"][branch]["components"].append(
        {
            "component_object_type": "EvaporativeCooler:Direct:CelDekPad",
            "component_name": "PSZ-AC:1 Evaporative Pad",
            "component_inlet_node_name": "Pad Inlet Node",
            "component_outlet_node_name": "Pad Outlet Node",
        }
    )
    path = tmp_path / "office_small_with_pad.epJSON"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.neo4j
def test_a_dry_run_writes_nothing_and_an_unknown_component_is_equipment_with_a_warning(
    cli, store: TwinStore, unknown_component_model
):
    before = graph_content_hash(store)
    done = cli("import", "energyplus", unknown_component_model, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    [report] = _reports(done)
    assert report["dry_run"] is True and report["nodes_created"] > 0
    [warning] = report["warnings"]
    assert "EvaporativeCooler:Direct:CelDekPad" in warning
    assert "'PSZ-AC:1 Evaporative Pad'" in warning
    assert graph_content_hash(store) == before

    graph = EnergyPlusImporter().parse(unknown_component_model)
    [pad] = [n for n in graph.nodes.values() if n.name == "PSZ-AC:1 Evaporative Pad"]
    assert (pad.kind, pad.twin_id.split("/")[1]) == ("Equipment", "equipment")
    assert _sources(graph, pad.twin_id, "HAS_PART") == {
        t for t in _of_kind(graph, "ahu") if graph.nodes[t].name == "PSZ-AC:1"
    }
