"""Constraint reasoning over the whole 10,000-point building (`ConstraintReader`, what the inbox,
the node page's violations and `graphtwin violations` run), as generated (no constraint: what the
inbox benchmark's building holds) and with a rule set whose constraints reach every node (a
building band, an office rule by selector on every office, a fan coil rule on every fan coil, a
regulation on two floors: 302 anchors). Target (issue 21 / 23): whole-building violations well
under the inbox's 1 s wait.

Same-run baseline: `subtree("site-1")`, the walk every violations call starts with (the scope's
nodes), so the reasoning's own cost is the difference.

With the rule set, also one room and one floor (what the node page's violations section asks),
each by both contributions statements in the same rounds (and the whole building's effective
constraints by both, to see where the walk up stops paying): the walk down from every anchor
(`walk_up_below=0`, the baseline of its row) and the walk up from each node (`walk_up_below`
above any id count). The PROFILE of both statements for the room's nodes is reported beside
(database hits, and whether the plan scans every :Twin node).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.api_building import SITE_ID, BuildingShape, generate_building, point_value_rows
from benchmarks.bench_api import percentile
from benchmarks.harness import Samples, markdown_table, note, paired_ratio
from benchmarks.neo4j_server import BenchServer
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.statements import cypher
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


REPEAT, WARMUP = 10, 2
ROOM, FLOOR = f"{SITE_ID}.bldg-1.l01.r001", f"{SITE_ID}.bldg-1.l01"
EVERY_ID = 1_000_000
"""A `walk_up_below` above any id count: the reader always walks up."""


@dataclass(slots=True)
class ReasoningResult:
    samples: list[Samples] = field(default_factory=list)
    baseline: dict[str, Samples] = field(default_factory=dict)
    """Each measurement's same-run baseline (the subtree walk of its case)."""
    found: dict[str, int] = field(default_factory=dict)
    """What each measurement's last call found (violations, nodes)."""
    profiles: dict[str, str] = field(default_factory=dict)
    """statement -> what its PROFILE for the room's nodes showed."""

    def to_json(self) -> dict[str, Any]:
        timed = {s.name: s.to_json() | {"found": self.found[s.name]} for s in self.samples}
        return timed | {"profiles": self.profiles}

    def report(self) -> str:
        rows = [
            [
                s.name,
                f"{s.median * 1000:.1f}",
                f"{percentile(s.values, 95) * 1000:.1f}",
                f"{paired_ratio(s, self.baseline[s.name]):.2f}x",
                self.baseline[s.name].name.split(",")[0],
                self.found[s.name],
            ]
            for s in self.samples
        ]
        headers = ["what", "median ms", "p95 ms", "÷ baseline (paired)", "baseline", "found"]
        profiles = "".join(f"\n- PROFILE {k}: {v}" for k, v in self.profiles.items())
        return (
            "## Constraint reasoning over the 10,000-point building\n\n"
            + markdown_table(headers, rows)
            + "\n"
            + profiles
        )


def run_reasoning(server: BenchServer) -> ReasoningResult:
    settings = server.settings
    building = generate_building(BuildingShape())
    result = ReasoningResult()
    with TwinStore.open(settings) as store:
        store.reset()
        store.load([building.graph])
        store.write("bench/api_point_values", rows=point_value_rows(building.point_ids))
        database = store.database
    asyncio.run(_time(settings, database, result, "no constraints"))
    with TwinStore.open(settings) as store, tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES)
        store.load([IMPORTERS["governance"].parse(rules)])
    note("reasoning: rule set loaded")
    asyncio.run(_time(settings, database, result, "302 anchors"))
    asyncio.run(_time_few(settings, database, result))
    with TwinStore.open(settings) as store:
        result.profiles = _profiles(store, asyncio.run(_room_ids(settings, database)))
    return result


async def _time(settings: Any, database: str, result: ReasoningResult, case: str) -> None:
    """Each call of the case in turn, round after round."""
    driver = await open_async_driver(resolve_target(settings))
    try:
        reader = ConstraintReader(driver, database)
        ids = await reader.subtree(SITE_ID)
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            f"subtree {SITE_ID} (baseline), {case}": lambda: reader.subtree(SITE_ID),
            f"effective constraints of its {len(ids)} nodes, {case}": lambda: (
                reader.effective_constraints(ids)
            ),
            f"violations {SITE_ID}, {case}": lambda: reader.violations(SITE_ID),
        }
        samples = await _rounds(calls, result, case)
        baseline = samples[next(iter(calls))]
        result.samples += samples.values()
        result.baseline |= dict.fromkeys(calls, baseline)
    finally:
        await driver.close()


async def _rounds(
    calls: dict[str, Callable[[], Awaitable[Any]]], result: ReasoningResult, case: str
) -> dict[str, Samples]:
    """Each call in turn, round after round (a slow moment spreads over all); what each last
    found goes in `result.found`."""
    samples = {name: Samples(name) for name in calls}
    note(f"reasoning: {case}, {WARMUP} + {REPEAT} rounds")
    for round_ in range(WARMUP + REPEAT):
        for name, call in calls.items():
            started = time.perf_counter()
            answer = await call()
            samples[name].add(time.perf_counter() - started, measured=round_ >= WARMUP)
            result.found[name] = len(answer)
    return samples


async def _room_ids(settings: Any, database: str) -> list[str]:
    driver = await open_async_driver(resolve_target(settings))
    try:
        return await ConstraintReader(driver, database).subtree(ROOM)
    finally:
        await driver.close()


async def _time_few(settings: Any, database: str, result: ReasoningResult) -> None:
    """One room, one floor (and the whole building's effective constraints), by the walk down
    (the baseline) and the walk up, round after round."""
    driver = await open_async_driver(resolve_target(settings))
    try:
        down = ConstraintReader(driver, database, walk_up_below=0)
        up = ConstraintReader(driver, database, walk_up_below=EVERY_ID)
        calls: dict[str, Callable[[], Awaitable[Any]]] = {}
        pairs: dict[str, str] = {}
        # the whole building's effective constraints too: where the walk up stops paying
        for scope, what in ((ROOM, "one room"), (FLOOR, "one floor"), (SITE_ID, "the building")):
            ids = await down.subtree(scope)
            questions = [(f"effective constraints of {what}'s {len(ids)} nodes", "effective")]
            if scope != SITE_ID:
                questions.append((f"violations {scope} ({what})", "violations"))
            for question, ask in questions:
                for walk, reader in (("walk down (baseline)", down), ("walk up", up)):
                    name = f"{walk}, {question}"
                    call = (
                        (lambda r=reader, i=ids: r.effective_constraints(i))
                        if ask == "effective"
                        else (lambda r=reader, s=scope: r.violations(s))
                    )
                    calls[name] = call
                pairs[f"walk up, {question}"] = f"walk down (baseline), {question}"
        samples = await _rounds(calls, result, "one room and one floor")
        result.samples += samples.values()
        for name in calls:
            result.baseline[name] = samples[pairs.get(name, name)]
    finally:
        await driver.close()


def _profiles(store: TwinStore, ids: list[str]) -> dict[str, str]:
    """Database hits of each contributions statement for `ids`, and whether its plan scans every
    :Twin node (the walk up must expand from each bound node instead)."""
    found = {}
    for name in ("reasoning/contributions", "reasoning/contributions_up"):
        _, summary, _ = store.driver.execute_query(
            "PROFILE " + cypher(name), {"ids": ids}, database_=store.database, routing_="r"
        )
        operators = list(_operators(summary.profile or {}))
        hits = sum(op.get("dbHits", 0) for op in operators)
        scans = [
            f"{op['operatorType']} ({op.get('rows', 0):,} rows)"
            for op in operators
            if "LabelScan" in op["operatorType"] or "AllNodesScan" in op["operatorType"]
        ]
        found[name] = f"{len(ids)} ids, {hits:,} db hits, scans: {', '.join(scans) or 'none'}"
    return found


def _operators(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("children", ()):
        yield from _operators(child)
