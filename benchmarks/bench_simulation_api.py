"""What-if latency through the API: `simulate` on the 15-zone medium office and on the generated
10,000-point building, against the same runs in-process and against EnergyPlus, in one run.

Set-up (untimed):
- the ASHRAE medium office imported with `graphtwin import energyplus`'s importer, the history
  of one recorded EnergyPlus trips run (benchmarks/simulation_events.py, Chicago summer) copied
  into the API's history store, its zones calibrated on the 14 days before the first trip;
- the generated building of the API benchmark (10 floors x 25 spaces, 10,000 points with
  current values; benchmarks/api_building.py): no history, so every space runs from priors;
- the real `graphtwin serve` in its own process, with an operator key.

Timed, after warm-up, in a rotated order so both see the same machine:
- `api`: the `simulate` mutation POSTed over HTTP (keep-alive), until its JSON is parsed:
  the overlay read, the simulation of inaction and 2 actions, the ranking, and the run's
  records (Parquet trajectories, the SimulationRun in Neo4j, the audit record);
- `in-process`: `run_scenario` on the same scenario through the async driver, without HTTP and
  without recording: what the API adds is the difference.
Baseline: EnergyPlus answering the same what-if for the office (`energyplus_scenario_seconds`:
one run of the event's day with its warm-up, per variant, so x3).

Targets (issue 18): office p95 <= 1 s; generated building <= 5 s; >= 100x faster than EnergyPlus.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api_building import BUILDING_ID, BuildingShape, generate_building, point_value_rows
from benchmarks.bench_api import RunningApi, running_api
from benchmarks.harness import load_average, markdown_table, note, rotated
from benchmarks.neo4j_server import BenchServer
from graphtwin.simulation.models import calibrate_zones
from graphtwin.simulation.result import SimulationResult
from graphtwin.simulation.run import run_scenario
from graphtwin.simulation.scenario import scenario_from_data
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver
from graphtwin.telemetry.history import HistoryStore

TARGET_OFFICE_P95_S = 1.0
TARGET_BUILDING_S = 5.0
TARGET_SPEEDUP = 100.0
START_TIMEOUT_S = 120.0

SIMULATE = """mutation Simulate($scenario: ScenarioInput!) {
  simulate(scenario: $scenario) {
    runId
    outcomes { name violationHours energyKwh cost co2Kg bandWidthK zonesAffected
               impact { lost partly } firstViolation { node firstAt because } }
    ranking { rank name because }
  }
}"""


@dataclass(frozen=True, slots=True)
class SimulationApiOptions:
    warmup: int = 2
    runs: int = 20
    building_runs: int = 5


@dataclass
class Timings:
    name: str
    seconds: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[k]

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": len(self.seconds),
            "median_s": statistics.median(self.seconds),
            "p95_s": self.p(0.95),
            "min_s": min(self.seconds),
            "max_s": max(self.seconds),
        }


@dataclass
class Case:
    """One building's scenario, timed through the API and in-process."""

    name: str
    zones: int
    api: Timings
    in_process: Timings
    energyplus_s: float | None = None
    """EnergyPlus for the same what-if (all variants), where it applies."""
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class SimulationApiResults:
    options: SimulationApiOptions
    cases: list[Case]
    server: dict[str, Any]
    load_avg_at_end: list[float]

    def targets(self) -> list[list[object]]:
        office, building = self.cases
        rows: list[list[object]] = [
            [
                "office: API p95",
                f"<= {TARGET_OFFICE_P95_S} s",
                f"{office.api.p(0.95):.3f} s",
                _met(office.api.p(0.95) <= TARGET_OFFICE_P95_S),
            ],
            [
                "generated building (250 spaces): API p95",
                f"<= {TARGET_BUILDING_S} s",
                f"{building.api.p(0.95):.3f} s",
                _met(building.api.p(0.95) <= TARGET_BUILDING_S),
            ],
        ]
        if office.energyplus_s:
            speedup = office.energyplus_s / statistics.median(office.api.seconds)
            rows.append(
                [
                    "office: EnergyPlus / API (median)",
                    f">= {TARGET_SPEEDUP:.0f}x",
                    f"{speedup:.0f}x",
                    _met(speedup >= TARGET_SPEEDUP),
                ]
            )
        return rows

    def report(self) -> str:
        rows = []
        for case in self.cases:
            for timing in (case.api, case.in_process):
                j = timing.to_json()
                rows.append(
                    [
                        case.name,
                        case.zones,
                        timing.name,
                        j["runs"],
                        f"{j['median_s'] * 1000:.0f}",
                        f"{j['p95_s'] * 1000:.0f}",
                        f"{j['min_s'] * 1000:.0f}",
                        f"{j['max_s'] * 1000:.0f}",
                    ]
                )
            if case.energyplus_s:
                rows.append(
                    [case.name, case.zones, "EnergyPlus (3 runs)", 3,
                     f"{case.energyplus_s * 1000:.0f}", "", "", ""]
                )  # fmt: skip
        return "\n\n".join(
            [
                "## What-if latency (simulate through the API)",
                markdown_table(
                    [
                        "building",
                        "zones",
                        "path",
                        "runs",
                        "median ms",
                        "p95 ms",
                        "min ms",
                        "max ms",
                    ],
                    rows,
                ),
                markdown_table(["target", "wanted", "measured", "met"], self.targets()),
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "options": asdict(self.options),
            "cases": [
                {
                    "name": c.name,
                    "zones": c.zones,
                    "api": c.api.to_json(),
                    "in_process": c.in_process.to_json(),
                    "energyplus_s": c.energyplus_s,
                    "ranking": c.answer.get("ranking"),
                }
                for c in self.cases
            ],
            "targets": self.targets(),
            "server": self.server,
            "load_avg_at_end": self.load_avg_at_end,
        }


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def run_simulation_api(options: SimulationApiOptions, server: BenchServer) -> SimulationApiResults:
    from benchmarks.simulation_events import energyplus_scenario_seconds, ensure_event_runs
    from importers.energyplus import EnergyPlusImporter

    [run] = [
        r
        for r in ensure_event_runs(
            buildings=("office_medium",), climates=("chicago",), seasons=("summer",),
            progress=note,
        )
        if r.name.endswith("-trips")
    ]  # fmt: skip
    event = run.events[0]
    note(f"office: {run.name}, event {event.id} at {event.start.isoformat()}")
    office = EnergyPlusImporter().parse(run.model_file)
    building = generate_building(BuildingShape(), seed=42)
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-sim-") as tmp:
        telemetry = Path(tmp) / "telemetry"
        shutil.copytree(run.run_dir, telemetry / "history", ignore=_only_history)
        history = HistoryStore(telemetry / "history", retention_days=None)
        with TwinStore.open(server.settings) as store:
            store.reset()
            store.load([office])
            store.load([building.graph])
            rows = point_value_rows(building.point_ids, seed=42)
            store.write("bench/api_point_values", rows=rows)
        office_id = _building_of(office)
        uses = asyncio.run(_calibrate(server, office_id, history, event.start))
        note(f"  calibrated {sum(u.calibrated for u in uses)} of {len(uses)} office zones")
        office_scenario = _office_scenario(run, event, office_id)
        building_scenario = _building_scenario(building)
        with running_operator_api(server, telemetry) as api:
            office_case = _time_case(
                "medium office", office_scenario, api, server, history, options.runs, options
            )
            building_case = _time_case(
                "generated 10,000 points", building_scenario, api, server, history,
                options.building_runs, options,
            )  # fmt: skip
        note("  EnergyPlus for the same what-if (3 variants) ...")
        office_case.energyplus_s = 3 * energyplus_scenario_seconds(run, event)
    return SimulationApiResults(
        options=options,
        cases=[office_case, building_case],
        server=server.info(),
        load_avg_at_end=load_average(),
    )


def _only_history(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not (n.startswith("day=") or n.endswith(".parquet"))]


def _building_of(graph: Any) -> str:
    return next(n.twin_id for n in graph.nodes.values() if n.kind == "Building")


async def _calibrate(
    server: BenchServer, root: str, history: HistoryStore, now: datetime
) -> list[Any]:
    target = server.target
    driver = await open_async_driver(target)
    try:
        return await calibrate_zones(
            driver, database=target.database, root=root, history=history, now=now
        )
    finally:
        await driver.close()


def _office_scenario(run: Any, event: Any, office_id: str) -> dict[str, Any]:
    prefix = run.twin_prefix
    ahus = [f"{prefix}/ahu/PACU_VAV_{floor}" for floor in ("bot", "mid", "top")]
    others = [a for a in ahus if a != event.target]
    return {
        "name": "AHU trips",
        "scope": office_id,
        "start": event.start.isoformat(),
        "horizon": "4h",
        "step": "5m",
        "interventions": [{"type": "trip", "target": event.target}],
        "tariff": {"currency": "USD", "default": 0.11, "periods": [
            {"from": "12:00", "to": "18:00", "price": 0.28}]},
        "carbon": {"default": 0.4},
        "actions": [
            {"name": "raise other floors' airflow",
             "interventions": [{"type": "airflow", "target": a, "factor": 1.3} for a in others]},
            {"name": "relax unoccupied setpoints",
             "interventions": [{"type": "setpoint", "target": z, "setpoint": "cooling",
                                "delta": 2.0} for z in event.affected_zones]},
        ],
    }  # fmt: skip


def _building_scenario(building: Any) -> dict[str, Any]:
    vav = next(e for e in building.equipment_ids if ".vav-" in e)
    floors = [n.twin_id for n in building.graph.nodes.values() if n.kind == "Floor"]
    return {
        "name": "VAV out of service",
        "scope": BUILDING_ID,
        "start": "2025-07-09T15:00:00+00:00",
        "horizon": "4h",
        "step": "5m",
        "outdoor": {"source": "constant", "value": 30.0},
        "interventions": [{"type": "out_of_service", "target": vav}],
        "actions": [
            {"name": "send a floor home",
             "interventions": [{"type": "occupancy", "target": floors[0], "factor": 0.2}]},
            {"name": "send two floors home", "interventions": [
                {"type": "occupancy", "target": f, "factor": 0.2} for f in floors[:2]]},
        ],
    }  # fmt: skip


def _time_case(
    name: str,
    scenario: dict[str, Any],
    api: RunningApi,
    server: BenchServer,
    history: HistoryStore,
    runs: int,
    options: SimulationApiOptions,
) -> Case:
    note(f"{name}: {options.warmup} warm-up + {runs} measured runs of each path ...")
    variables = {"scenario": _graphql_input(scenario)}
    body = json.dumps({"query": SIMULATE, "variables": variables}).encode()
    api_t, local_t = Timings("api"), Timings("in-process")
    answer: dict[str, Any] = {}
    zones = 0
    with httpx.Client(headers=api.headers, timeout=120) as client:
        for i in range(options.warmup + runs):
            for path in rotated(["api", "in-process"], i):
                t0 = time.perf_counter()
                if path == "api":
                    reply = client.post(api.graphql_url, content=body).json()
                    elapsed = time.perf_counter() - t0
                    if reply.get("errors"):
                        raise AssertionError(f"simulate failed: {reply['errors']}")
                    answer = reply["data"]["simulate"]
                    if i >= options.warmup:
                        api_t.seconds.append(elapsed)
                else:
                    result = asyncio.run(_in_process(server, scenario, history))
                    elapsed = time.perf_counter() - t0
                    zones = len(result.models)
                    if i >= options.warmup:
                        local_t.seconds.append(elapsed)
    note(
        f"  api median {statistics.median(api_t.seconds):.3f} s, p95 {api_t.p(0.95):.3f} s; "
        f"in-process median {statistics.median(local_t.seconds):.3f} s ({zones} zones)"
    )
    return Case(name=name, zones=zones, api=api_t, in_process=local_t, answer=answer)


async def _in_process(
    server: BenchServer, scenario: dict[str, Any], history: HistoryStore
) -> SimulationResult:
    target = server.target
    driver = await open_async_driver(target)
    try:
        return await run_scenario(
            driver,
            scenario_from_data(scenario),
            database=target.database,
            history=history,
            settings=server.settings,
            actor="bench",
        )
    finally:
        await driver.close()


_ENUMS = ("type", "setpoint", "source")


def _graphql_input(value: Any) -> Any:
    """The scenario as ScenarioInput takes it: the same fields, enum values in capitals."""
    if isinstance(value, dict):
        return {
            k: v.upper() if k in _ENUMS and isinstance(v, str) else _graphql_input(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_graphql_input(v) for v in value]
    return value


@contextmanager
def running_operator_api(server: BenchServer, telemetry: Path) -> Iterator[RunningApi]:
    """`graphtwin serve` with an operator key, its pipeline's history in `telemetry`."""
    # The server's own pipeline keeps the history `simulate` reads; the recorded run is from
    # 2025, so its retention must be off or the server would prune it at start.
    bindings = telemetry / "bindings.yaml"
    bindings.write_text(
        json.dumps(
            {
                "graphtwin-bindings": 1,
                "history": {"dir": str(telemetry / "history"), "retention_days": None},
                "audit_log": str(telemetry / "audit.jsonl"),
                "sources": [{"id": "http", "type": "http"}],
            }
        )
    )
    env = {
        "GRAPHTWIN_TELEMETRY_DIR": str(telemetry),
        "GRAPHTWIN_AUDIT_LOG": str(telemetry / "audit.jsonl"),
        "GRAPHTWIN_AUDIT_KEY_FILE": str(telemetry / "audit.key"),
        "GRAPHTWIN_AUDIT_SIGNING_KEY_FILE": str(telemetry / "audit-signing.pem"),
    }
    with running_api(
        server, role="operator", env_extra=env, serve_args=("--bindings", str(bindings))
    ) as api:
        yield api
