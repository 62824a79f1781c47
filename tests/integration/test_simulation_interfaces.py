"""What-if runs through the CLI and the API on a real Neo4j: a bad scenario is refused naming
its field with nothing written; a good one runs, is recorded and reads back; `simulate` is the
operator's, not the viewer's; a building's single points of failure."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log, verify_audit_log
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import CliRunner
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

OFFICE = """\
graphtwin: 1
source: office
nodes:
  - id: bldg
    kind: Building
    links: {CONTAINS: [zone-1, zone-2, zone-3, ahu-1, ahu-2], HAS_POINT: [bldg.oat]}
  - {id: zone-1, kind: Zone, properties: {floor_area_m2: 50.0, volume_m3: 150.0},
     links: {HAS_POINT: [zone-1.t]}}
  - {id: zone-2, kind: Zone, properties: {floor_area_m2: 80.0, volume_m3: 240.0},
     links: {HAS_POINT: [zone-2.t]}}
  - {id: zone-3, kind: Zone, properties: {floor_area_m2: 40.0, volume_m3: 120.0},
     links: {HAS_POINT: [zone-3.t]}}
  - {id: ahu-1, kind: Equipment, brick_class: Air_Handling_Unit,
     links: {FEEDS: [zone-1, zone-2], HAS_POINT: [ahu-1.sat]}}
  - {id: ahu-2, kind: Equipment, brick_class: Air_Handling_Unit, links: {FEEDS: [zone-2, zone-3]}}
  - {id: bldg.oat, kind: Point, brick_class: Outside_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: ahu-1.sat, kind: Point, brick_class: Supply_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: zone-1.t, kind: Point, brick_class: Zone_Air_Temperature_Sensor, properties: {unit: degC}}
  - {id: zone-2.t, kind: Point, brick_class: Zone_Air_Temperature_Sensor, properties: {unit: degC}}
  - {id: zone-3.t, kind: Point, brick_class: Zone_Air_Temperature_Sensor, properties: {unit: degC}}
"""

SCENARIO = """\
graphtwin-scenario: 1
name: AHU-1 trips
horizon: 1h
step: 5m
outdoor: {source: constant, value: 32}
interventions:
  - {type: trip, target: ahu-1}
actions:
  - name: halve the gains
    interventions: [{type: occupancy, target: zone-1, factor: 0.5}]
"""

BAD = """\
graphtwin-scenario: 1
name: too long
horizon: 30d
interventions:
  - {type: trip, target: ahu-1}
"""

RUN_FIELDS = """
  runId scenario { scenarioId name inputs } actor codeVersion start stepS horizonS
  outcomes { name violationHours zonesAffected energyKwh bandWidthK
             impact { removed lost partly } firstViolation { node because } }
  ranking { rank name because }
  impact { removed lost partly }
  models { zone calibrated samples }
  affected
  trajectories(node: "zone-1") { variant node property unit times values lower upper }
"""
SIMULATE = f"mutation($s: ScenarioInput!) {{ simulate(scenario: $s) {{ {RUN_FIELDS} }} }}"
SCENARIO_INPUT = {
    "name": "AHU-1 trips",
    "horizon": "1h",
    "outdoor": {"source": "CONSTANT", "value": 32},
    "interventions": [{"type": "TRIP", "target": "ahu-1"}],
    "actions": [
        {
            "name": "halve the gains",
            "interventions": [{"type": "OCCUPANCY", "target": "zone-1", "factor": 0.5}],
        }
    ],
}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def count(store: TwinStore, label: str) -> int:
    [row] = store.read("read/label_count", label=label)
    return int(row["count"])


def records(path: Path) -> int:
    return len(read_audit_log(path)) if path.exists() else 0


@pytest.fixture
def office(store: TwinStore, tmp_path: Path) -> TwinStore:
    """Three zones, two AHUs (zone-2 fed by both), current temperatures of a warm afternoon."""
    store.load([IMPORTERS["twin"].parse(write(tmp_path / "office.yaml", OFFICE))])
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    values = {"bldg.oat": 31.0, "ahu-1.sat": 13.0, "zone-1.t": 24.0, "zone-2.t": 23.5,
              "zone-3.t": 24.5}  # fmt: skip
    store.write(
        "api/point_values_set",
        rows=[{"twin_id": k, "value": v, "at": at, "quality": "good", "source": "bms"}
              for k, v in values.items()],
    )  # fmt: skip
    return store


def test_simulate_refuses_a_bad_scenario_naming_file_line_and_field_and_writes_nothing(
    cli: CliRunner, office: TwinStore, neo4j_env: dict[str, str], tmp_path: Path
):
    telemetry = Path(neo4j_env["GRAPHTWIN_TELEMETRY_DIR"])
    audit_before = records(telemetry / "audit.jsonl")
    runs_before = count(office, "SimulationRun"), count(office, "Scenario")
    bad = write(tmp_path / "bad.yaml", BAD)

    result = cli("simulate", bad)

    assert result.returncode == 2, result.stderr
    assert "bad.yaml:3" in result.stderr and "horizon" in result.stderr
    assert (count(office, "SimulationRun"), count(office, "Scenario")) == runs_before
    assert records(telemetry / "audit.jsonl") == audit_before
    assert not list(telemetry.glob("simulations/*.parquet"))


def test_simulate_runs_records_and_shows_a_scenario(
    cli: CliRunner, office: TwinStore, neo4j_env: dict[str, str], tmp_path: Path
):
    audit_log = Path(neo4j_env["GRAPHTWIN_TELEMETRY_DIR"]) / "audit.jsonl"
    before = records(audit_log)
    ran = cli("simulate", write(tmp_path / "trip.yaml", SCENARIO), "--json")
    assert ran.returncode == 0, ran.stderr
    run = json.loads(ran.stdout)
    assert [o["name"] for o in run["outcomes"]] == ["inaction", "halve the gains"]
    assert {r["name"] for r in run["ranking"]} == {"inaction", "halve the gains"}
    inaction = run["outcomes"][0]
    assert inaction["impact"]["lost"] == ["zone-1"]  # zone-2 keeps ahu-2
    assert "zone-2" in inaction["impact"]["partly"]
    assert Path(run["recorded"]).is_file()

    shown = cli("simulation", "show", run["run_id"], "--json")
    assert shown.returncode == 0, shown.stderr
    recorded = json.loads(shown.stdout)
    assert (recorded["run_id"], recorded["outcomes"]) == (run["run_id"], run["outcomes"])
    assert recorded["inputs"]["name"] == "AHU-1 trips"
    trail = read_audit_log(audit_log)
    assert len(trail) == before + 1 and trail[-1].kind == "simulated"
    assert trail[-1].payload["run_id"] == run["run_id"]
    assert verify_audit_log(audit_log).ok

    table = cli("simulation", "show", run["run_id"])
    assert table.returncode == 0, table.stderr
    assert "Action against inaction" in table.stdout and "halve the gains" in table.stdout
    # the "because" of each rank and the first violations as lines, not crushed columns
    assert "Because" in table.stdout and "  1. " in table.stdout
    assert "Topology impact" in table.stdout and "First violation" in table.stdout


def test_the_api_refuses_simulate_to_a_viewer_and_runs_it_for_an_operator(
    api: ApiServer, office: TwinStore
):
    runs = count(office, "SimulationRun")
    refused = api.post(SIMULATE, role=Role.VIEWER, variables={"s": SCENARIO_INPUT})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert count(office, "SimulationRun") == runs

    run = api.data(SIMULATE, role=Role.OPERATOR, variables={"s": SCENARIO_INPUT})["simulate"]
    assert count(office, "SimulationRun") == runs + 1
    assert [o["name"] for o in run["outcomes"]] == ["inaction", "halve the gains"]
    assert run["impact"]["lost"] == ["zone-1"]
    assert run["actor"].startswith("apikey:") and run["scenario"]["inputs"]["horizon"] == "1h"
    series = run["trajectories"]
    assert {t["variant"] for t in series} == {"inaction", "halve the gains"}
    assert all(t["node"] == "zone-1" for t in series)
    for t in series:
        assert len(t["times"]) == len(t["values"]) == len(t["lower"]) == len(t["upper"]) > 0
        assert all(lo <= v <= hi for lo, v, hi in zip(t["lower"], t["values"], t["upper"],
                                                       strict=True))  # fmt: skip

    query = f'{{ simulationRun(id: "{run["runId"]}") {{ {RUN_FIELDS} }} }}'
    assert api.data(query)["simulationRun"] == run  # a viewer reads it back, the same


def test_a_scenario_the_api_cannot_run_is_an_error_naming_the_field(
    api: ApiServer, office: TwinStore
):
    runs = count(office, "SimulationRun")
    bad: dict[str, Any] = {**SCENARIO_INPUT, "interventions": [{"type": "TRIP"}]}
    answer = api.post(SIMULATE, role=Role.OPERATOR, variables={"s": bad})
    message = answer.json()["errors"][0]["message"]
    assert "interventions[0].target" in message
    assert count(office, "SimulationRun") == runs


def test_a_building_lists_its_single_points_of_failure(api: ApiServer, office: TwinStore):
    query = """{ node(twinId: "bldg") { singlePointsOfFailure {
        node { twinId } members dominates { twinId } } } }"""
    found = api.data(query)["node"]["singlePointsOfFailure"]
    by_node = {s["node"]["twinId"]: [d["twinId"] for d in s["dominates"]] for s in found}
    assert by_node == {"ahu-1": ["zone-1"], "ahu-2": ["zone-3"]}  # zone-2 has both


def test_calibrate_without_history_stores_flagged_priors_and_the_snapshot_counts_them(
    cli: CliRunner, office: TwinStore
):
    calibrated = cli("calibrate", "--root", "bldg", "--json")
    assert calibrated.returncode == 0, calibrated.stderr
    models = json.loads(calibrated.stdout)["models"]
    assert sorted(m["zone"] for m in models) == ["zone-1", "zone-2", "zone-3"]
    assert not any(m["calibrated"] for m in models)  # no history: priors, never passed off

    snapshot = cli("snapshot", "--format", "json", "--root", "bldg")
    assert snapshot.returncode == 0, snapshot.stderr
    operations = json.loads(snapshot.stdout)["operations"]
    assert operations["simulation_enabled"] is True
    calibration = operations["calibration"]
    assert (calibration["zones"], calibration["calibrated"], calibration["from_priors"]) == (
        3, 0, 3,
    )  # fmt: skip
    assert calibration["without_model"] == 0 and calibration["oldest_fit"] is not None
