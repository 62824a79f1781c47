"""The EnergyPlus importer checked against EnergyPlus's own listing of a model.

EnergyPlus's listing comes from running the model (not from the importer's code): it is stopped
at its first system timestep, once it has written `eplusout.eio` (zones with their floor area,
volume and multiplier, the nominal internal loads) and `eplusout.bnd` (air loops, the zones each
one cools or heats, the components of every branch and what each component holds). In the same
run every observed point the importer made is requested, and EnergyPlus must give a handle for
each. `differences` compares that listing with the importer's graph.

The test suite checks a representative subset of the bundled models this way
(tests/integration/test_energyplus_import.py); `python -m benchmarks energyplus-import` checks all
32 (docs/benchmarks.md):

    listed = list_models(["ashrae/office_small"], Path("/tmp/listing"), workers=1)
    graph, listing = listed["ashrae/office_small"]
    assert differences(graph, listing) == []
"""

from __future__ import annotations

import json
import math
import multiprocessing
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from graphtwin.model import TwinGraph
from importers.energyplus import EnergyPlusImporter
from importers.energyplus.runtime import convert_to_epjson, datasets, energyplus_api

ASHRAE, REFERENCE, WEATHER = datasets()
MODELS = {
    **{f"ashrae/{name}": Path(path) for name, path in sorted(ASHRAE.items())},
    **{f"reference/{name}": Path(path) for name, path in sorted(REFERENCE.items())},
}
"""Every bundled model by label (`ashrae/office_medium`, `reference/large_office`, ...)."""
SUBSET = {
    "reference/quick_service_restaurant": "packaged single-zone air loops: two-speed DX coil, "
    "fuel heating, constant-volume fans, zone exhaust fans, a service water heater loop, "
    "zones left out of the floor area, gas equipment",
    "ashrae/office_large": "chilled, hot and condenser water loops with headered pumps, a "
    "variable-speed tower, a fluid cooler and a fluid-to-fluid heat exchanger; VAV reheat "
    "boxes, water-to-air heat pumps, a humidifier, plenums and zone multipliers",
    "ashrae/warehouse": "multi-speed DX coil, system-model fan, unit heaters and high-"
    "temperature radiant heaters",
    "reference/large_hotel": "air-cooled EIR chiller and four-pipe fan coils",
    "ashrae/office_small": "DX heat pump heating coil",
    "reference/hospital": "detailed-geometry cooling coil and single-speed cooling tower",
    "reference/small_hotel": "packaged terminal air conditioners (terminal units)",
    "ashrae/apartment_high_rise": "two-speed evaporative fluid cooler, zone energy recovery "
    "ventilators, air-to-air sensible and latent heat exchanger",
}
"""The models the listing check runs on, with what each alone brings to the subset (found by
importing all 32: a greedy cover of the importer's object types, Brick classes, relationships
between kinds, observed variables, zone traits and load kinds, cheapest models first;
`uncovered` checks it)."""
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


def import_and_list(model: Path, out: Path) -> tuple[TwinGraph, Listing]:
    """The importer's graph of `model`, and EnergyPlus's listing of it (a worker process's job)."""
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


def differences(graph: TwinGraph, energyplus: Listing) -> list[str]:
    """Where the importer's graph of a model disagrees with EnergyPlus's listing of it (empty
    when they agree): zones with their area, volume, multiplier and counting, air loops,
    terminals and the zones they feed, plant loops, parts, internal loads and their schedules,
    the gas meter, and a handle for every observed point."""
    twin = _imported(graph)
    found: list[str] = []
    if energyplus.exit_code != 0:
        found.append(f"EnergyPlus exited with {energyplus.exit_code}")
    if energyplus.missing_handles:
        found.append(f"observed points EnergyPlus has no handle for: {energyplus.missing_handles}")
    if twin.gas_meter != energyplus.gas_meter:
        found.append(f"gas meter: twin {twin.gas_meter}, EnergyPlus {energyplus.gas_meter}")
    found += _set_differences("zones", twin.zones.keys(), energyplus.zones.keys())
    for zone, (area, volume, multiplier, counted) in energyplus.zones.items():
        if zone not in twin.zones:
            continue
        got_area, got_volume, got_multiplier, got_counted = twin.zones[zone]
        if not _close(got_area, area, 0.01) or not _close(got_volume, volume, 0.01):
            found.append(f"zone {zone}: area, volume {got_area}, {got_volume} != {area}, {volume}")
        if (got_multiplier, got_counted) != (multiplier, counted):
            found.append(
                f"zone {zone}: multiplier, counted {got_multiplier}, {got_counted} != "
                f"{multiplier}, {counted}"
            )
    nodes = {_origin(graph, t) for t in graph.nodes}
    for name, ours, theirs in (
        ("air loops", twin.air_loops, energyplus.air_loops),
        ("terminals", twin.terminals, energyplus.terminals),
        ("terminal zones", twin.terminal_zones, energyplus.terminal_zones),
        ("loop zones", twin.loop_zones, energyplus.loop_zones),
        ("plant", twin.plant, energyplus.plant),
        ("parts", twin.parts, _collapsed(energyplus.parts, nodes)),
        ("load schedules", twin.load_schedules, energyplus.load_schedules),
        ("loads", twin.loads.keys(), energyplus.loads.keys()),
    ):
        found += _set_differences(name, ours, theirs)
    for key, level in energyplus.loads.items():
        if key in twin.loads and not _close(twin.loads[key], level, 0.06):
            found.append(f"load {key}: {twin.loads[key]} != {level}")
    return found


def list_models(
    labels: Iterable[str], out: Path, *, workers: int
) -> dict[str, tuple[TwinGraph, Listing]]:
    """The bundled models `labels` imported and listed by EnergyPlus, in `workers` processes
    (EnergyPlus's state is per process), the largest first; their runs go under `out`."""
    context = multiprocessing.get_context("spawn")
    largest_first = sorted(labels, key=lambda label: -MODELS[label].stat().st_size)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {
            label: pool.submit(import_and_list, MODELS[label], out / label.replace("/", "-"))
            for label in largest_first
        }
        return {label: future.result() for label, future in futures.items()}


def traits(graph: TwinGraph) -> set[tuple[str, ...]]:
    """What the importer made of a model, by kind rather than by name: the EnergyPlus object
    types and Brick classes of its nodes, the relationships between kinds of node, the observed
    variables, zone traits (multiplier, not counted in the floor area, plenum) and load kinds."""
    found: set[tuple[str, ...]] = set()
    for node in graph.nodes.values():
        props = node.properties
        if node.kind == "Point":
            found.add(("variable", str(props.get("eplus_variable"))))
            continue
        found |= {("type", str(props.get("eplus_type"))), ("brick", str(props.get("brick_class")))}
        if _id_kind(node.twin_id) == "zone":
            if int(props.get("multiplier", 1)) > 1:  # type: ignore[call-overload]
                found.add(("zone", "multiplier"))
            if not props.get("part_of_total_floor_area"):
                found.add(("zone", "not counted in the floor area"))
            if props.get("is_plenum"):
                found.add(("zone", "plenum"))
            found |= {("load", key) for key in props if key in LOAD_LEVELS}
    for rel in graph.iter_relationships():
        start, end = graph.nodes[rel.start], graph.nodes[rel.end]
        if "Point" not in (start.kind, end.kind):
            found.add(("relationship", _id_kind(rel.start), rel.type, _id_kind(rel.end)))
    return found


def uncovered(listed: dict[str, tuple[TwinGraph, Listing]]) -> set[tuple[str, ...]]:
    """The traits some of the `listed` models have and no model of `SUBSET` has."""
    every = set().union(*(traits(graph) for graph, _ in listed.values()))
    return every - set().union(*(traits(listed[label][0]) for label in SUBSET))


def _close(got: float, expected: float, absolute: float) -> bool:
    """Equal as EnergyPlus prints them: two decimals, so a relative and an absolute margin."""
    return math.isclose(got, expected, rel_tol=AREA_TOLERANCE, abs_tol=absolute)


def _set_differences(name: str, ours: Iterable[object], theirs: Iterable[object]) -> list[str]:
    ours, theirs = set(ours), set(theirs)
    found = []
    if ours - theirs:
        found.append(f"{name} only in the twin: {sorted(map(str, ours - theirs))}")
    if theirs - ours:
        found.append(f"{name} only in EnergyPlus: {sorted(map(str, theirs - ours))}")
    return found
