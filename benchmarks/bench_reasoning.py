"""Constraint reasoning over the whole 10,000-point building (`ConstraintReader`, what the inbox,
the node page's violations and `graphtwin violations` run), as generated (no constraint: what the
inbox benchmark's building holds) and with a rule set whose constraints reach every node (a
building band, an office rule by selector on every office, a fan coil rule on every fan coil, a
regulation on two floors: 302 anchors). Target (issue 21 / 23): whole-building violations well
under the inbox's 1 s wait.

Same-run baseline: `subtree("site-1")`, the walk every violations call starts with (the scope's
nodes), so the reasoning's own cost is the difference.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.api_building import SITE_ID, BuildingShape, generate_building, point_value_rows
from benchmarks.bench_api import percentile
from benchmarks.harness import note
from benchmarks.neo4j_server import BenchServer
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from importers import IMPORTERS

RULES = """
graphtwin-governance: 1
source: bench-rules
regulations:
  - id: reg-comfort
    name: EN 16798-1 cat. II
    constraints:
      - {id: bldg-temp, name: Building band, property: zone_air_temperature, min: 16, max: 28,
         unit: degC, severity: hard, applies_to: {ids: [site-1.bldg-1]}}
      - {id: office-temp, property: zone_air_temperature, min: 20, max: 26, unit: degC,
         severity: hard, when: occupied, applies_to: {kind: Space, brick_class: Office}}
      - {id: fcu-sat, property: supply_air_temperature, min: 10, max: 300, unit: degC,
         severity: soft, applies_to: {kind: Equipment, brick_class: Fan_Coil_Unit}}
  - id: reg-air
    name: Indoor air quality rule
    applies_to: {ids: [site-1.bldg-1.l01, site-1.bldg-1.l02]}
    constraints:
      - {id: co2-limit, property: co2_concentration, max: 1000, unit: ppm, severity: soft,
         applies_to: {ids: [site-1.bldg-1.l01.r001]}}
      - {id: flow-limit, property: supply_air_flow, max: 400, unit: m3/h, severity: soft,
         applies_to: {ids: [site-1.bldg-1.l03.r002]}}
"""


@dataclass(frozen=True, slots=True)
class ReasoningOptions:
    repeat: int = 10
    warmup: int = 2


@dataclass(slots=True)
class ReasoningResult:
    options: ReasoningOptions
    timings_ms: dict[str, list[float]] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    """What each case's last call found (violations, nodes)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "repeat": self.options.repeat,
            "ms": {name: _summary(t) for name, t in self.timings_ms.items()},
            "found": self.found,
        }

    def report(self) -> str:
        lines = [
            "## Constraint reasoning over the 10,000-point building\n",
            "| what | median ms | p95 ms | found |",
            "|---|--:|--:|--:|",
        ]
        for name, times in self.timings_ms.items():
            s = _summary(times)
            lines.append(
                f"| {name} | {s['median']:.1f} | {s['p95']:.1f} | {self.found.get(name, '')} |"
            )
        return "\n".join(lines)


def run_reasoning(options: ReasoningOptions, server: BenchServer) -> ReasoningResult:
    settings = server.settings
    building = generate_building(BuildingShape())
    result = ReasoningResult(options)
    with TwinStore.open(settings) as store:
        store.reset()
        store.load([building.graph])
        store.write("bench/api_point_values", rows=point_value_rows(building.point_ids))
        database = store.database
    asyncio.run(_time(options, settings, database, result, "no constraints"))
    with TwinStore.open(settings) as store, tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES)
        store.load([IMPORTERS["governance"].parse(rules)])
    note("reasoning: rule set loaded")
    asyncio.run(_time(options, settings, database, result, "302 anchors"))
    return result


async def _time(
    options: ReasoningOptions, settings: Any, database: str, result: ReasoningResult, case: str
) -> None:
    driver = await open_async_driver(resolve_target(settings))
    try:
        reader = ConstraintReader(driver, database)
        ids = await reader.subtree(SITE_ID)
        cases: dict[str, Callable[[], Awaitable[Any]]] = {
            f"subtree {SITE_ID} (baseline), {case}": lambda: reader.subtree(SITE_ID),
            f"effective constraints of its {len(ids)} nodes, {case}": lambda: (
                reader.effective_constraints(ids)
            ),
            f"violations {SITE_ID}, {case}": lambda: reader.violations(SITE_ID),
        }
        for name, call in cases.items():
            note(f"reasoning: {name}")
            for _ in range(options.warmup):
                await call()
            times = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                answer = await call()
                times.append((time.perf_counter() - started) * 1000)
            result.timings_ms[name] = times
            result.found[name] = len(answer)
    finally:
        await driver.close()


def _summary(times: list[float]) -> dict[str, float]:
    return {"median": percentile(times, 50), "p95": percentile(times, 95)}
