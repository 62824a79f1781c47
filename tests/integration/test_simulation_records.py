"""Recording a what-if run on a real Neo4j: exactly its Scenario and SimulationRun, the SIMULATES
links and one audit record; the live twin is otherwise unchanged."""

from __future__ import annotations

import asyncio
import textwrap
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import pytest

from graphtwin.audit import ChangeAudit, read_audit_log, verify_audit_log
from graphtwin.config import Settings
from graphtwin.simulation.records import (
    SimulationRecordError,
    read_run,
    read_trajectories,
    record_run,
)
from graphtwin.simulation.result import (
    Impact,
    ModelUse,
    Outcome,
    Ranked,
    SimulationResult,
    Trajectory,
)
from graphtwin.simulation.scenario import Scenario, scenario_from_data
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

T = TypeVar("T")
START = datetime(2025, 7, 23, 16, 30, tzinfo=UTC)
PLANT = """\
graphtwin: 1
source: plant
nodes:
  - id: bldg
    kind: Building
    contains:
      - id: zone-1
        kind: Zone
        properties: {floor_area_m2: 50.0}
      - id: zone-2
        kind: Zone
  - id: ahu-1
    kind: Equipment
    brick_class: Air_Handling_Unit
    links: {FEEDS: [zone-1, zone-2], HAS_POINT: [ahu-1.sat]}
  - {id: ahu-1.sat, kind: Point, brick_class: Supply_Air_Temperature_Sensor,
     properties: {unit: degC}}
"""


def scenario() -> Scenario:
    return scenario_from_data(
        {"name": "AHU trips", "horizon": "10m", "interventions": [
            {"type": "trip", "target": "ahu-1"}]}
    )  # fmt: skip


def fresh(prefix: str) -> str:
    """An id no other test (nor an earlier run on a kept server) has used."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def result(
    run_id: str,
    affected: tuple[str, ...] = (),
    scenario_id: str = "scenario-0123456789abcdef",
) -> SimulationResult:
    times = (START, START + timedelta(minutes=5))
    series = Trajectory("zone-1", "air_temperature", "degC", times, (24.0, 24.6), (23.8, 24.2),
                        (24.2, 25.0))  # fmt: skip
    outcome = Outcome("inaction", Impact(("ahu-1",), ("zone-1", "zone-2"), ()), (series,), (),
                      0.0, (), 0.0, 0.0, 0.0, 0.8)  # fmt: skip
    return SimulationResult(
        run_id=run_id,
        scenario_id=scenario_id,
        scenario_name="AHU trips",
        start=START,
        step_s=300.0,
        horizon_s=600.0,
        outcomes=(outcome,),
        ranking=(Ranked(1, "inaction", "no comfort violation within the horizon"),),
        models=(ModelUse("zone-1", "prior-1", False, None, 0, None, None, False),),
        affected=affected,
        started_at=START,
        finished_at=START + timedelta(milliseconds=250),
        actor="cli:ana",
        code_version="0.1.0",
    )


def live_twin(store: TwinStore) -> tuple[list[Any], list[Any]]:
    """Every Twin node with its labels-free property map, and every relationship between Twin
    nodes with its properties, in a stable order."""
    nodes = sorted(store.read("read/twin_nodes"), key=lambda r: r["twin_id"])
    rels = sorted(
        store.read("read/twin_relationships"), key=lambda r: (r["start"], r["type"], r["end"])
    )
    return nodes, rels


def count(store: TwinStore, label: str) -> int:
    [row] = store.read("read/label_count", label=label)
    return int(row["count"])


def run_async(settings: Settings, work: Callable[[neo4j.AsyncDriver, str], Awaitable[T]]) -> T:
    async def go() -> T:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            return await work(driver, target.database)
        finally:
            await driver.close()

    return asyncio.run(go())


@pytest.fixture
def plant(store: TwinStore, tmp_path: Path) -> TwinStore:
    path = tmp_path / "plant.yaml"
    path.write_text(textwrap.dedent(PLANT), encoding="utf-8")
    store.load([IMPORTERS["twin"].parse(path)])
    return store


def test_recording_a_run_writes_its_scenario_run_links_and_audit_record_and_nothing_else(
    plant: TwinStore, neo4j_settings: Settings, tmp_path: Path
):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "cli:ana")
    audit.link_rejected("a", "b", reason=None, new=True)  # the chain has a record before
    before = live_twin(plant)
    scenarios, runs = count(plant, "Scenario"), count(plant, "SimulationRun")
    ran = result(fresh("run"), ("ahu-1", "zone-1", "zone-2", "not-in-the-twin"), fresh("scn"))

    record = run_async(
        neo4j_settings,
        lambda driver, db: record_run(driver, ran, scenario(), database=db,
                                      runs_dir=tmp_path / "runs", audit=audit),
    )  # fmt: skip

    assert live_twin(plant) == before  # nodes, their properties and relationships untouched
    assert (count(plant, "Scenario"), count(plant, "SimulationRun")) == (scenarios + 1, runs + 1)
    assert record.affected == ("ahu-1", "zone-1", "zone-2")  # only live entities are linked
    back = run_async(
        neo4j_settings,
        lambda driver, db: read_run(driver, ran.run_id, database=db, runs_dir=tmp_path / "runs"),
    )
    assert back == record
    assert back.inputs["interventions"] == [{"type": "trip", "target": "ahu-1", "at": "0m"}]
    assert back.summary["outcomes"][0]["impact"]["lost"] == ["zone-1", "zone-2"]
    assert back.summary["ranking"][0]["because"] == "no comfort violation within the horizon"
    assert back.models == ran.models
    assert read_trajectories(tmp_path / "runs", ran.run_id) == {
        "inaction": list(ran.outcomes[0].trajectories)
    }
    trail = read_audit_log(audit.path)
    assert [r.kind for r in trail] == ["link_rejected", "simulated"]
    assert verify_audit_log(audit.path).ok
    payload = trail[-1].payload
    assert (payload["run_id"], payload["scenario_id"], payload["best"]) == (
        ran.run_id, ran.scenario_id, "inaction",
    )  # fmt: skip
    assert payload["affected"] == ["ahu-1", "zone-1", "zone-2"]
    assert len(payload["trajectories_sha256"]) == 64


def test_the_same_inputs_are_one_scenario_with_two_runs(
    plant: TwinStore, neo4j_settings: Settings, tmp_path: Path
):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "cli:ana")
    scenarios = count(plant, "Scenario")
    scenario_id, run_ids = fresh("scn"), [fresh("run"), fresh("run")]
    for run_id in run_ids:
        ran = result(run_id, scenario_id=scenario_id)
        run_async(
            neo4j_settings,
            lambda driver, db, ran=ran: record_run(
                driver, ran, scenario(), database=db, runs_dir=tmp_path, audit=audit
            ),
        )
    assert count(plant, "Scenario") == scenarios + 1
    back = [
        run_async(
            neo4j_settings,
            lambda driver, db, run_id=run_id: read_run(driver, run_id, database=db,
                                                       runs_dir=tmp_path),
        )
        for run_id in run_ids
    ]  # fmt: skip
    assert [r.scenario_id for r in back] == [scenario_id, scenario_id]
    assert back[0].inputs == back[1].inputs and back[0].inputs["name"] == "AHU trips"


def test_a_graph_write_that_fails_leaves_no_file_and_no_audit_record(
    plant: TwinStore, neo4j_settings: Settings, tmp_path: Path
):
    audit = ChangeAudit(tmp_path / "audit.jsonl", "cli:ana")
    runs_dir = tmp_path / "runs"
    ran = result(fresh("run"), scenario_id=fresh("scn"))

    def record() -> Any:
        return run_async(
            neo4j_settings,
            lambda driver, db: record_run(driver, ran, scenario(), database=db,
                                          runs_dir=runs_dir, audit=audit),
        )  # fmt: skip

    first = record()
    first.trajectories.unlink()  # the id is still taken in the graph
    before = (live_twin(plant), count(plant, "SimulationRun"), count(plant, "Scenario"))
    with pytest.raises(SimulationRecordError, match=ran.run_id):
        record()
    assert not list(runs_dir.iterdir())  # neither the file nor a temporary one
    assert (live_twin(plant), count(plant, "SimulationRun"), count(plant, "Scenario")) == before
    assert [r.kind for r in read_audit_log(audit.path)] == ["simulated"]  # the first run only


def test_an_unknown_run_reads_as_none(plant: TwinStore, neo4j_settings: Settings, tmp_path: Path):
    found = run_async(
        neo4j_settings,
        lambda driver, db: read_run(driver, "no-such-run", database=db, runs_dir=tmp_path),
    )
    assert found is None
