"""EnergyPlus models into the twin: the importer against EnergyPlus's own listing of all 32 bundled
models, the medium office's FEEDS network, and `graphtwin import energyplus` into the real Neo4j.

EnergyPlus's listing comes from running each model (not from the importer's code): it is stopped
at its first system timestep, once it has written `eplusout.eio` (zones with their floor area,
volume and multiplier, the nominal internal loads) and `eplusout.bnd` (air loops, the zones each
one cools or heats, the components of every branch and what each component holds). In the same
run every observed point the importer made is requested, and EnergyPlus must give a handle for
each. The 32 runs share two processes (about 60 s of CPU); the models are imported there too.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("pyenergyplus")

from graphtwin.model import TwinGraph
from graphtwin.store import TwinStore
from importers.energyplus import EnergyPlusImporter
from importers.energyplus.runtime import (
    convert_to_epjson,
    datasets,
    energyplus_api,
)
from tests.support.graph_state import graph_content_hash

ASHRAE, REFERENCE, WEATHER = datasets()
MODELS = {
    **{f"ashrae/{name}": Path(path) for name, path in sorted(ASHRAE.items())},
    **{f"reference/{name}": Path(path) for name, path in sorted(REFERENCE.items())},
}
WORKERS = 2
NOMINAL_LOADS = {
    "People Internal Gains Nominal": ("Number of People {}", "people"),
    "Lights Internal Gains Nominal": ("Lighting Level {W}", "lights"),
    "ElectricEquipment Internal Gains Nominal": ("Equipment Level {W}", "electric_equipment"),
    "GasEquipment Internal Gains Nominal": ("Equipment Level {W}", "gas_equipment"),
}
"""eplusout.eio's load listings: the column with the design level, and the twin's property."""
NEVER_RAN = "EnergyPlus never reached a system timestep"
GAS_METER = "NaturalGas:Facility"
LOAD_LEVELS = ("people_count", "lights_w", "electric_equipment_w", "gas_equipment_w")
PUMPS = ("PUMP:", "HEADEREDPUMPS:")
"""Pumps on a loop's demand side are parts of the loop, like those on its supply side."""
AREA_TOLERANCE = 0.005
"""EnergyPlus prints areas and volumes with two decimals."""


@dataclass
class Listing:
    """What EnergyPlus says about a model (names upper case, as EnergyPlus writes them)."""

    zones: dict[str, tuple[float, float, int, bool]] = field(default_factory=dict)
    """Zone -> floor area, volume, multiplier, part of the total floor area."""
    air_loops: set[str] = field(default_factory=set)
    terminals: set[tuple[str, str]] = field(default_factory=set)
    terminal_zones: set[tuple[str, str]] = field(default_factory=set)
    loop_zones: set[tuple[str, str]] = field(default_factory=set)
    plant: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(loop, HAS_PART or FEEDS, component type, component name)."""
    parts: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(parent type, parent name, part type, part name) of the air side."""
    loads: dict[tuple[str, str], float] = field(default_factory=dict)
    """(zone, load property) -> design level summed over the zone's load objects."""
    load_schedules: set[tuple[str, str, str]] = field(default_factory=set)
    """(zone, schedule property, schedule)."""
    missing_handles: list[str] = field(default_factory=list)
    gas_meter: bool = False
    """Whether EnergyPlus has a NaturalGas:Facility meter."""
    exit_code: int = -1


def _rows(path: Path) -> Iterator[list[str]]:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip() and not line.startswith("!"):
            yield [cell.strip() for cell in line.split(",")]


def _quick_copy(model: Path, out: Path) -> Path:
    """`model` as an epJSON in `out` that EnergyPlus sizes quickly: one warm-up day, two
    timesteps an hour (one makes a model's heat balance diverge) and shading computed once.
    What it lists does not depend on these; a model that fails so runs as it comes."""
    document = convert_to_epjson(model)
    for building in document["Building"].values():
        building["minimum_number_of_warmup_days"] = 1
        building["maximum_number_of_warmup_days"] = 1
    for timestep in document.get("Timestep", {}).values():
        timestep["number_of_timesteps_per_hour"] = 2
    for shading in document.get("ShadowCalculation", {}).values():
        shading["shading_calculation_update_frequency"] = 366
    copy = out / f"{model.stem}.epJSON"
    copy.write_text(json.dumps(document), encoding="utf-8")
    return copy


def _energyplus_listing(model: Path, out: Path, points: list[tuple[str, str, bool]]) -> Listing:
    """Run EnergyPlus on `model` up to its first system timestep and read its listing."""
    api = energyplus_api()
    state = api.state_manager.new_state()
    listing = Listing()
    checked: list[bool] = []

    def first_timestep(running: object) -> None:
        if checked or not api.exchange.api_data_fully_ready(running):
            return
        meters = [
            p.key.upper() for p in api.exchange.get_api_data(running) if p.what == "OutputMeter"
        ]
        for variable, key, meter in points:
            if meter:
                handle = api.exchange.get_meter_handle(running, variable)
                # EnergyPlus 25.2's getMeterHandle answers -1 for the meter at index 0
                # (Electricity:Facility); getMeterValue reads it as handle 0.
                if handle == -1 and meters[:1] == [variable.upper()]:
                    handle = 0
            else:
                handle = api.exchange.get_variable_handle(running, variable, key)
            if handle == -1:
                listing.missing_handles.append(f"{variable} [{key}]")
        listing.gas_meter = api.exchange.get_meter_handle(running, GAS_METER) != -1
        checked.append(True)
        api.runtime.stop_simulation(running)

    try:
        api.runtime.set_console_output_status(state, False)
        for variable, key, meter in points:
            if not meter:
                api.exchange.request_variable(state, variable, key)
        api.runtime.callback_begin_system_timestep_before_predictor(state, first_timestep)
        weather = WEATHER["usa_co_denver"]
        listing.exit_code = api.runtime.run_energyplus(
            state, ["-d", str(out), "-w", weather, str(model)]
        )
    finally:
        api.state_manager.delete_state(state)
    if not checked:
        listing.missing_handles.append(NEVER_RAN)
        return listing  # what it wrote may be cut short
    _read_eio(out / "eplusout.eio", listing)
    _read_bnd(out / "eplusout.bnd", listing)
    return listing


def _read_eio(eio: Path, listing: Listing) -> None:
    headers: dict[str, list[str]] = {}
    for line in eio.read_text(encoding="utf-8", errors="replace").splitlines():
        cells = [cell.strip() for cell in line.split(",")]
        if cells[0].startswith("! <"):
            headers[cells[0][3:-1]] = cells
            continue
        row = dict(zip(headers.get(cells[0], []), cells, strict=False))
        if cells[0] == "Zone Information":
            listing.zones[cells[1]] = (
                float(row["Floor Area {m2}"]),
                float(row["Volume {m3}"]),
                int(row["Zone Multiplier"]),
                row["Part of Total Building Area"] == "Yes",
            )
        elif cells[0] in NOMINAL_LOADS:
            column, prefix = NOMINAL_LOADS[cells[0]]
            key = (row["Zone Name"], f"{prefix}_{'count' if prefix == 'people' else 'w'}")
            listing.loads[key] = listing.loads.get(key, 0.0) + float(row[column])
            schedule = (row["Zone Name"], f"{prefix}_schedules", row["Schedule Name"])
            listing.load_schedules.add(schedule)


def _read_bnd(bnd: Path, listing: Listing) -> None:
    branch_loop: dict[str, tuple[str, str]] = {}
    sets: list[list[str]] = []
    adu_zone: dict[str, str] = {}
    for row in _rows(bnd):
        kind = row[0]
        if kind == "AirLoopHVAC":
            listing.air_loops.add(row[1])
        elif kind in ("Cooled Zone Info", "Heated Zone Info"):
            listing.loop_zones.add((row[5], row[2]))
        elif kind == "Branch" and len(row) >= 5:
            branch_loop[row[2]] = (row[3], row[4])
        elif kind == "Component Set":
            sets.append(row)
        elif kind == "Zone Equipment Component" and row[2] == "ZONEHVAC:AIRDISTRIBUTIONUNIT":
            adu_zone[row[3]] = row[4]
    for _, _, parent_type, parent, part_type, part, *_ in sets:
        if parent_type == "ZONEHVAC:AIRDISTRIBUTIONUNIT":
            listing.terminals.add((part_type, part))
            listing.terminal_zones.add((part, adu_zone[parent]))
        elif parent_type == "BRANCH":
            loop, loop_type = branch_loop[parent]
            if loop_type == "Air":
                listing.parts.add(("AIRLOOPHVAC", loop, part_type, part))
            elif not part_type.startswith("PIPE:"):
                supply = loop_type.endswith("Supply") or part_type.startswith(PUMPS)
                listing.plant.add((loop, "HAS_PART" if supply else "FEEDS", part_type, part))
        else:
            listing.parts.add((parent_type, parent, part_type, part))


def _import_and_list(model: Path, out: Path) -> tuple[TwinGraph, Listing]:
    """Worker: the importer's graph of `model`, and EnergyPlus's listing of it."""
    graph = EnergyPlusImporter().parse(model)
    points = [
        (
            str(n.properties["eplus_variable"]),
            str(n.properties["eplus_key"]),
            n.properties["eplus_meter"] is True,
        )
        for n in graph.nodes.values()
        if n.kind == "Point"
    ]
    quick, full = out / "quick", out / "full"
    for folder in (quick, full):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    listing = _energyplus_listing(_quick_copy(model, quick), quick, points)
    if listing.exit_code != 0 or NEVER_RAN in listing.missing_handles:
        listing = _energyplus_listing(model, full, points)  # as the model comes, then
    return graph, listing


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[TwinGraph, Listing]]:
    """Every bundled model imported and listed by EnergyPlus, in WORKERS processes."""
    root = tmp_path_factory.mktemp("energyplus-listing")
    context = multiprocessing.get_context("spawn")
    largest_first = sorted(MODELS.items(), key=lambda item: -item[1].stat().st_size)
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as pool:
        futures = {
            label: pool.submit(_import_and_list, path, root / label.replace("/", "-"))
            for label, path in largest_first
        }
        return {label: future.result() for label, future in futures.items()}


# --- what the importer says, read from its graph -----------------------------------------------


def _id_kind(twin_id: str) -> str:
    return twin_id.split("/")[1]


def _origin(graph: TwinGraph, twin_id: str) -> tuple[str, str]:
    props = graph.nodes[twin_id].properties
    return str(props["eplus_type"]).upper(), str(props["eplus_name"]).upper()


def _imported(graph: TwinGraph) -> Listing:
    found = Listing()
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rel in graph.iter_relationships():
        out[rel.start][rel.type].add(rel.end)
    for node in graph.nodes.values():
        props = node.properties
        name = str(props["eplus_name"]).upper()
        kind = _id_kind(node.twin_id) if node.kind != "Point" else "point"
        if kind == "zone":
            for prop, value in props.items():
                if prop.endswith("_schedules"):
                    found.load_schedules.update((name, prop, str(v).upper()) for v in value)
                elif prop in LOAD_LEVELS:
                    found.loads[(name, prop)] = float(value)  # type: ignore[arg-type]
            found.zones[name] = (
                float(props["floor_area_m2"]),  # type: ignore[arg-type]
                float(props["volume_m3"]),  # type: ignore[arg-type]
                int(props["multiplier"]),  # type: ignore[arg-type]
                bool(props["part_of_total_floor_area"]),
            )
        elif kind == "terminal":
            found.terminals.add(_origin(graph, node.twin_id))
            for zone in out[node.twin_id]["FEEDS"]:
                found.terminal_zones.add((name, _origin(graph, zone)[1]))
        elif kind == "point" and props["eplus_variable"] == GAS_METER:
            found.gas_meter = True
        elif kind == "ahu":
            found.air_loops.add(name)
            for fed in out[node.twin_id]["FEEDS"]:
                zones = [fed] if _id_kind(fed) == "zone" else out[fed]["FEEDS"]
                found.loop_zones.update((name, _origin(graph, z)[1]) for z in zones)
        elif kind == "plant-loop":
            for rel_type in ("HAS_PART", "FEEDS"):
                for end in out[node.twin_id][rel_type]:
                    found.plant.add((name, rel_type, *_origin(graph, end)))
        if kind != "plant-loop":
            for part in out[node.twin_id]["HAS_PART"]:
                found.parts.add((*_origin(graph, node.twin_id), *_origin(graph, part)))
    return found


def _collapsed(parts: set[tuple[str, str, str, str]], nodes: set[tuple[str, str]]) -> set:
    """EnergyPlus's part-of listing with the objects the twin holds no node for (wrappers such
    as unitary systems) left out: their parts belong to what holds them."""
    holder = {(pt, p): (t, n) for t, n, pt, p in parts}
    found = set()
    for parent_type, parent, part_type, part in parts:
        if (part_type, part) not in nodes:
            continue
        up = (parent_type, parent)
        while up not in nodes and up in holder:
            up = holder[up]
        if up in nodes:
            found.add((*up, part_type, part))
    return found


@pytest.mark.parametrize("label", sorted(MODELS))
def test_the_importer_lists_what_energyplus_lists_for_every_bundled_model(label, bundled):
    graph, energyplus = bundled[label]
    twin = _imported(graph)
    assert energyplus.exit_code == 0
    assert energyplus.missing_handles == [], "observed points EnergyPlus has no handle for"
    assert twin.gas_meter == energyplus.gas_meter

    assert twin.zones.keys() == energyplus.zones.keys()
    for zone, (area, volume, multiplier, counted) in energyplus.zones.items():
        got_area, got_volume, got_multiplier, got_counted = twin.zones[zone]
        assert got_area == pytest.approx(area, rel=AREA_TOLERANCE, abs=0.01), zone
        assert got_volume == pytest.approx(volume, rel=AREA_TOLERANCE, abs=0.01), zone
        assert (got_multiplier, got_counted) == (multiplier, counted), zone
    assert twin.air_loops == energyplus.air_loops
    assert twin.terminals == energyplus.terminals
    assert twin.terminal_zones == energyplus.terminal_zones
    assert twin.loop_zones == energyplus.loop_zones
    assert twin.plant == energyplus.plant
    nodes = {_origin(graph, t) for t in graph.nodes}
    assert twin.parts == _collapsed(energyplus.parts, nodes)
    assert twin.load_schedules == energyplus.load_schedules
    assert twin.loads.keys() == energyplus.loads.keys()
    for key, level in energyplus.loads.items():
        assert twin.loads[key] == pytest.approx(level, rel=AREA_TOLERANCE, abs=0.06), key


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
