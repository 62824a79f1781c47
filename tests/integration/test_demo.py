"""`graphtwin demo`, the main job, against the session's server."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from graphtwin.api.probe import wait_until_healthy
from graphtwin.audit import read_audit_log, verify_audit_log
from graphtwin.cli.demo_virtual import BUILDING, COMFORT_RULE, StoryPace
from graphtwin.model import TwinGraph
from graphtwin.neo4j_local.instance import free_port
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.virtual.models import resolve_model
from importers import IMPORTERS
from importers.brick import BrickImporter
from importers.energyplus.runtime import convert_to_epjson
from importers.governance import GovernanceImporter
from importers.ifc import IfcImporter
from importers.twinfile import TwinFileImporter
from tests.conftest import GRAPHTWIN, ROOT
from tests.support.ml_buildings import building_file

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Small synthetic buildings for the demo's drift model: training on the real Brick models
    takes a minute, which `graphtwin ml evaluate` and the ML tests already cover."""
    folder = tmp_path_factory.mktemp("demo-training")
    for name, vavs in (("alpha", 8), ("beta", 10), ("gamma", 6)):
        building_file(folder, name, vavs)
    return str(folder)


def test_the_demo_imports_the_campus_in_every_standard_and_links_what_is_one_thing(
    cli, store, training
):
    campus = TwinFileImporter().parse(EXAMPLES / "demo-campus.yaml")
    graphs = [
        campus,
        BrickImporter().parse(EXAMPLES / "riverside-building-b.ttl"),
        IfcImporter().parse(EXAMPLES / "riverside-building-b.ifc"),
        TwinFileImporter().parse(EXAMPLES / "riverside-links.yaml"),
        *(IMPORTERS["isa95"].parse(path) for path in sorted(EXAMPLES.glob("*.b2mml.xml"))),
        GovernanceImporter().parse(EXAMPLES / "riverside-governance.yaml"),
    ]
    nodes = len({t for g in graphs for t in g.nodes})
    asserted = len({k for g in graphs for k in g.relationships})

    done = cli(
        "demo", "--examples", EXAMPLES, "--no-serve", "--training-data", training,
        "--no-virtual-building",  # the live test runs it
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # a first import's rows say it all: no list of every node it added
    assert "Import" in done.stdout and "What changed in" not in done.stdout
    # the planted mislabel is shown (by the name rule at least: a model trained on these tiny
    # buildings is no judge of the campus; test_ml_detect covers the model's findings)
    assert "semantic vav-202.zat: name says zone, class Supply_Air_Flow_Sensor" in done.stdout
    # ... and nothing else: every structural and semantic finding is about the planted node
    drift = done.stdout.split("Drift detection (planted: ", 1)[1].split("\n\n", 1)[0]
    shown = re.findall(r"^  (?:structural|semantic) (\S+): ", drift, re.MULTILINE)
    assert shown and set(shown) == {"vav-202.zat"}, drift
    assert re.search(r"  model [0-9a-f]{16} \(manifest: ", done.stdout)  # and the model ran
    assert "Training the drift models" in done.stderr
    assert "already running" in done.stdout  # it reused the session's server
    assert "No virtual building: no AHU trip, so no what-if" in done.stdout
    counts = store.counts()
    assert counts.nodes == nodes
    shown = re.search(r"The twin now holds (\d+) nodes and (\d+) relationships", done.stdout)
    assert shown and (int(shown[1]), int(shown[2])) == (counts.nodes, counts.relationships)
    links = re.search(r"(\d+) SAME_AS links", done.stdout)
    assert links and int(links[1]) >= 30
    # asserted relationships, the links, and what governance selectors derived
    assert counts.relationships > asserted + int(links[1])
    assert f"from {len(graphs) + 1} source(s)" in done.stdout  # and graphtwin-link
    assert "Riverside Campus" in done.stdout and "Building B" in done.stdout
    assert "B-101 Materials Laboratory" in done.stdout  # the IFC spatial tree is shown
    assert "Air handling unit 2" in done.stdout  # AHU-2's cluster, ISA-95 member included
    assert "graphtwin tree" in done.stdout
    assert {s["format"] for s in counts.sources} == {
        "twin",
        "brick",
        "ifc",
        "isa95",
        "governance",
        "link",
    }
    # Building B's point came from Brick with its telemetry id, and the campus contains it
    sat = store.lineage("urn:riverside:bldg-b/ahu-2-sat")
    assert sat.property("timeseries_id").value == "bldg-b/ahu-2/sat"
    assert sat.property("timeseries_id").source_id == "brick:riverside-building-b.ttl"
    assert (
        "campus",
        "CONTAINS",
        "urn:riverside:bldg-b/building",
    ) in store.export().graph.relationships

    again = cli(
        "demo", "--examples", EXAMPLES, "--no-serve", "--training-data", training,
        "--no-virtual-building",
    )  # idempotent: nothing changes the second time, the model is reused  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "Training" not in again.stderr
    assert f"0/0/{len(campus.nodes)}/0" in again.stdout
    assert store.counts().nodes == nodes
    assert store.counts().relationships == counts.relationships


def test_the_demo_runs_simulated_devices_and_the_medium_office_whose_ahu_trips(
    cli, store, tmp_path, training
):
    pytest.importorskip("pyenergyplus")

    # The office at 7200x (the rest of the week's speed) instead of 3600x: the trip on the second
    # morning comes 33 simulated hours in, 16.5 s after EnergyPlus has warmed up instead of 33 s.
    # From the trip on the run is in slow motion at 900x whatever the speed, so the trip, the
    # warming zones, their violations and the what-if get as much wall time after it as at the
    # default speed (test_virtual_building syncs the office at 11,520x); the lab goes stale 20 s in.
    done = cli(
        "demo", "--examples", EXAMPLES, "--no-serve", "--live-seconds", "40",
        "--virtual-speed", "7200", "--training-data", training,
        env={"GRAPHTWIN_TELEMETRY_DIR": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "opc.tcp://127.0.0.1:" in done.stdout
    # the whole demo (the medium office and the IFC model too): still only the planted mislabel
    drift = done.stdout.split("Drift detection (planted: ", 1)[1].split("\n\n", 1)[0]
    shown = re.findall(r"^  (?:structural|semantic) (\S+): ", drift, re.MULTILINE)
    assert shown and set(shown) == {"vav-202.zat"}, drift
    issues = store.read("drift/issues_list", statuses=None, types=None, twin_id=None, limit=500)
    found = {(r["twin_id"], r["issue"]["type"]) for r in issues}
    assert ("urn:riverside:bldg-b/vav-lab-zat", "staleness") in found  # the frozen sensor
    assert ("urn:riverside:bldg-b/vav-201-zat", "threshold") in found  # the warming office
    sat = store.read("api/nodes_by_id", ids=["urn:riverside:bldg-b/ahu-2-sat"])[0]["n"]
    assert sat["current"]["source"] == "bldg-b-opcua"
    trail = read_audit_log(tmp_path / "audit.jsonl")  # the twin's one log: changes and values
    kinds = {r.kind for r in trail}
    assert {"import", "link", "sync_batch", "simulated"} <= kinds, kinds  # and the what-if
    assert verify_audit_log(tmp_path / "audit.jsonl").ok

    # The medium office, imported from its IDF, is in the campus with every zone EnergyPlus has
    graph = store.export().graph
    assert ("campus", "CONTAINS", BUILDING) in graph.relationships
    zones = {t for t in _below(graph, BUILDING, "CONTAINS") if graph.nodes[t].kind == "Zone"}
    model = convert_to_epjson(resolve_model("office_medium").path)
    assert {t.rsplit("/", 1)[-1] for t in zones} == set(model["Zone"])
    # every zone temperature point got live values from the virtual building, over BACnet
    zone_points = {
        end: start
        for start, kind, end in graph.relationships
        if kind == "HAS_POINT" and start in zones
        and graph.nodes[end].properties.get("brick_class") == "Zone_Air_Temperature_Sensor"
    }  # fmt: skip
    plenums = {
        plenum["zone_name"]
        for kind in ("AirLoopHVAC:ReturnPlenum", "AirLoopHVAC:SupplyPlenum")
        for plenum in model.get(kind, {}).values()
    }
    occupied = {t for t in zones if t.rsplit("/", 1)[-1] not in plenums}
    assert plenums and set(zone_points.values()) == occupied  # a plenum has no thermostat
    rows = store.read("api/nodes_by_id", ids=sorted(zone_points))
    assert len(rows) == len(zone_points)
    for row in rows:
        current = row["n"]["current"]
        assert current["source"] == "virtual-office_medium", row
        assert 10 < current["value"] < 40, row
    assert "Model    office_medium: ASHRAE901_OfficeMedium_STD2019_Denver.idf" in done.stdout
    assert re.search(r"BACnet   bacnet://127\.0\.0\.1:\d+/2001 \(trend logs read", done.stdout)
    # the generated bindings carry the comfort thresholds on the zone temperatures
    bindings = read_bindings(tmp_path / "demo" / "office-medium-bindings.yaml")
    thresholds = bindings.rules[COMFORT_RULE].thresholds
    assert thresholds and thresholds.warning and thresholds.warning.high == 27
    assert {b.point.twin_id for b in bindings.bindings if b.rule == COMFORT_RULE} == set(
        zone_points
    )

    # the scripted trip: zones warm past 27 degC, all of them downstream of the tripped AHU
    assert "FAULT trip of PACU_VAV_mid (mid-floor-ahu-trip)" in done.stdout
    ahu = BUILDING.replace("/building/OfficeMedium", "/ahu/PACU_VAV_mid")
    served = _below(graph, ahu, "FEEDS") & zones
    warmed = {zone_points[t] for t, kind in found if kind == "threshold" and t in zone_points}
    assert warmed and warmed <= served, (warmed, served)
    # and the comfort constraint's violations that follow, as the demo printed them
    shown = re.findall(
        r"  (\S+)  zone_air_temperature ([\d.]+) degC \(point \S+ air-temperature\)  hard max "
        r"27 degC when occupied, set by office-medium-zone-temperature",
        done.stdout,
    )
    assert shown, done.stdout[-4000:]
    assert all(float(value) > 27 for _, value in shown)
    assert {zone for zone, _ in shown} <= {t.rsplit("/", 1)[-1] for t in warmed}

    # the what-if the trip started: recorded, from the trip's moment, inaction and its actions
    run = re.search(
        r"AHU trips: 4 h 00 min from 2025-07-08T16:00:00\+00:00 in steps of 5 min; run (\S+)",
        done.stdout,
    )
    assert run, done.stdout[-6000:]
    [recorded] = store.read("simulation/read_run", run_id=run[1])
    assert ahu in recorded["affected"]
    summary = json.loads(recorded["summary"])
    outcomes = {o["name"]: o for o in summary["outcomes"]}
    assert list(outcomes) == [
        "inaction",
        "raise other floors' airflow",
        "relax unoccupied setpoints",
        "send the middle floor home",
    ]
    assert served <= set(outcomes["inaction"]["impact"]["lost"])  # the zones losing supply
    # printed side by side, each ranked with a because naming a zone and its constraint
    table = done.stdout[done.stdout.index("Action against inaction") :]
    table = table[: table.index("Topology impact")]
    ranking = {r["name"]: r for r in summary["ranking"]}
    assert sorted(r["rank"] for r in ranking.values()) == [1, 2, 3, 4]
    # halving the tripped floor's gains shortens its zones' time above the limit
    home, idle = outcomes["send the middle floor home"], outcomes["inaction"]
    assert 0 <= home["violation_hours"] < idle["violation_hours"]
    for name, outcome in outcomes.items():
        assert name in table and f"{outcome['energy_kwh']:.1f}" in table
    because = re.search(
        r"(eplus:\S+/zone/\S+) zone_air_temperature above max 27 degC "
        r"\(office-medium-zone-temperature\)",
        ranking["inaction"]["because"],
    )
    assert because, ranking["inaction"]["because"]
    assert because[1] in zones and because[1] in table
    assert "(office-medium-zone-temperature)" in table


def test_the_demo_refuses_a_bad_faults_file_before_writing_anything(cli, store, tmp_path):
    pytest.importorskip("pyenergyplus")
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples)
    faults = examples / "office-medium-faults.yaml"
    text = faults.read_text(encoding="utf-8")
    faults.write_text(text.replace("target: PACU_VAV_mid", "target: PACU_VAV_roof"), "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "target: PACU_VAV_mid" in row)
    done = cli("demo", "--examples", examples, "--no-serve", "--live-seconds", "5")
    assert done.returncode == 2, done.stderr
    assert f"office-medium-faults.yaml:{line}: fault mid-floor-ahu-trip:" in done.stderr
    assert "'PACU_VAV_roof'" in done.stderr
    assert store.counts().nodes == 0


def test_the_demo_names_a_missing_file(cli, tmp_path):
    done = cli("demo", "--examples", tmp_path, "--no-serve")
    assert done.returncode == 2
    assert "demo-campus.yaml" in done.stderr


def test_the_demo_ends_serving_the_api_with_a_key_and_an_example_query(
    neo4j_env, store, tmp_path, training
):
    port = free_port()
    env = {**neo4j_env, "GRAPHTWIN_TELEMETRY_DIR": str(tmp_path)}
    demo = subprocess.Popen(
        [str(GRAPHTWIN), "demo", "--examples", str(EXAMPLES), "--port", str(port),
         "--training-data", training, "--no-virtual-building"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        printed = _read_until(demo, "Serving until Ctrl-C")
        key = re.search(r"API key:\s+(gt_\S+)", printed)
        assert key, printed
        assert f"http://127.0.0.1:{port}/graphql#api_key={key[1]}" in printed
        assert f"Flight deck: http://127.0.0.1:{port}/#api_key={key[1]}" in printed
        assert "query Building" in printed
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, demo, timeout_s=60)
        signed_in = httpx.post(f"{url}/login", data={"api_key": key[1]}, timeout=60)
        assert signed_in.status_code == 303, signed_in.text  # the demo serves the flight deck
        headers = {"Authorization": f"Bearer {key[1]}"}
        query = (
            '{ node(twinId: "bldg-a") { name children { name } } violations(scope: "campus") '
            "{ twinId point value } }"
        )
        answer = httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=60)
        data = answer.json()["data"]
        assert data["node"]["name"] == "Building A"
        too_warm = [
            v["value"]
            for v in data["violations"]
            if v["twinId"] == "urn:riverside:bldg-b/office-201"
            and v["point"] == "urn:riverside:bldg-b/vav-201-zat"
        ]
        assert too_warm and too_warm[0] > 26  # the sample reading, or the simulated device's
        drift = '{ driftIssues(types: ["threshold"]) { twinId status } }'
        deadline = time.monotonic() + 30  # office 201 passes 27 degC within seconds
        while time.monotonic() < deadline:
            found = httpx.post(
                f"{url}/graphql", json={"query": drift}, headers=headers, timeout=60
            ).json()["data"]["driftIssues"]
            if found:
                break
            time.sleep(0.5)
        assert {"twinId": "urn:riverside:bldg-b/vav-201-zat", "status": "open"} in found
        # Ctrl-C: the API, the sync and then the devices stop, without a crash logged on the way
        # (the sync's OPC UA client used to outlive the simulated server and log a traceback)
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=60)
        assert demo.returncode == 0, rest
        assert "Traceback" not in rest and "crashed" not in rest, rest
    finally:
        if demo.poll() is None:
            demo.terminate()
            demo.wait(timeout=60)


def test_the_story_pace_slows_down_for_the_fault_and_keeps_served_times_increasing():
    start = datetime(2025, 7, 7, tzinfo=UTC)
    hour = timedelta(hours=1)
    trip, after = start + 33 * hour, start + 38 * hour
    pace = StoryPace(3600, [(trip, after, 900), (after, start + 168 * hour, 7200)])
    assert pace.wall_seconds(start, trip) == pytest.approx(33)  # an hour a second
    assert pace.wall_seconds(trip, after) == pytest.approx(20)  # a 15-minute timestep a second
    assert pace.wall_seconds(start, start + 168 * hour) == pytest.approx(33 + 20 + 65)
    moments = [start + k * timedelta(minutes=15) for k in range(168 * 4 + 1)]
    served = [pace.served_at(moment) for moment in moments]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(served)]
    assert min(gaps) > 0
    assert max(gaps) == pytest.approx(1.0, abs=1e-3)  # in the fault
    assert min(gaps) == pytest.approx(0.125, abs=1e-3)  # after it
    with pytest.raises(ValueError, match="overlap"):
        StoryPace(3600, [(trip, after, 900), (trip + hour, after + hour, 7200)])


def _below(graph: TwinGraph, root: str, relationship: str) -> set[str]:
    """Every twin id reached from `root` along `relationship`."""
    children: dict[str, set[str]] = {}
    for start, kind, end in graph.relationships:
        if kind == relationship:
            children.setdefault(start, set()).add(end)
    found: set[str] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _read_until(process: subprocess.Popen[str], marker: str) -> str:
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            return "".join(lines)
    raise AssertionError("the demo ended before serving:\n" + "".join(lines))
