"""The inbox with 1,000 open drift issues on the 10,000-point building: how long the server
takes to read and rank them (`graphtwin.inbox.read_inbox`, what the `inbox` resolver runs),
whole twin and scoped to one floor. Target (issue 23): well under 200 ms server-side.

Same-run baseline: `drift/issues_list` for the same 1,000 issues (the plain listing `driftIssues`
answers, with no reach, violations or ranking), so the inbox's own cost is the difference.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import neo4j

from benchmarks.api_building import (
    BUILDING_ID,
    SITE_ID,
    BuildingShape,
    generate_building,
    open_issue_rows,
)
from benchmarks.bench_api import percentile
from benchmarks.harness import note
from benchmarks.neo4j_server import BenchServer
from graphtwin.inbox import read_inbox
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.statements import cypher
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target


@dataclass(frozen=True, slots=True)
class InboxOptions:
    issues: int = 1000
    repeat: int = 20
    warmup: int = 3


@dataclass(slots=True)
class InboxResult:
    options: InboxOptions
    timings_ms: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "issues": self.options.issues,
            "repeat": self.options.repeat,
            "ms": {name: _summary(t) for name, t in self.timings_ms.items()},
        }

    def report(self) -> str:
        lines = [
            f"## Inbox: {self.options.issues} open drift issues on the 10,000-point building\n",
            "| what | median ms | p95 ms |",
            "|---|---|---|",
        ]
        for name, times in self.timings_ms.items():
            s = _summary(times)
            lines.append(f"| {name} | {s['median']:.1f} | {s['p95']:.1f} |")
        return "\n".join(lines)


def run_inbox(options: InboxOptions, server: BenchServer) -> InboxResult:
    settings = server.settings
    building = generate_building(BuildingShape())
    with TwinStore.open(settings) as store:
        store.reset()
        store.load([building.graph])
        store.write("drift/issues_open", rows=open_issue_rows(building.point_ids, options.issues))
        database = store.database
    note(f"inbox: {options.issues} issues written; timing {options.repeat} rounds")
    return asyncio.run(_time(options, settings, database))


async def _time(options: InboxOptions, settings: Any, database: str) -> InboxResult:
    result = InboxResult(options)
    driver = await open_async_driver(resolve_target(settings))
    floor = f"{BUILDING_ID}.l01"
    try:
        # One whole check first, as the server's violations cache runs it (in the background,
        # to its end): a fresh Neo4j plans the reasoning's statements in about a second, and
        # the warm-up reads below, which give up on a check at 1 s, would cancel that planning
        # every time, so that no plan is ever kept and every timed read waits its full 1 s.
        await ConstraintReader(driver, database).violations(SITE_ID)
        cases = {
            "driftIssues listing (baseline)": lambda: driver.execute_query(
                cypher("drift/issues_list"),
                statuses=["open"],
                types=None,
                twin_id=None,
                limit=options.issues,
                database_=database,
                routing_=neo4j.RoutingControl.READ,
            ),
            "inbox, whole twin": lambda: read_inbox(driver, database, first=options.issues),
            f"inbox, scope {floor}": lambda: read_inbox(
                driver, database, scope=floor, first=options.issues
            ),
        }
        for name, call in cases.items():
            for _ in range(options.warmup):
                await call()
            times = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                await call()
                times.append((time.perf_counter() - started) * 1000)
            result.timings_ms[name] = times
    finally:
        await driver.close()
    return result


def _summary(times: list[float]) -> dict[str, float]:
    return {"median": percentile(times, 50), "p95": percentile(times, 95)}
