"""What-if simulation for the API: run and record a scenario (`simulate`, operator role), read a
recorded run (`simulationRun`) and its trajectories, and a node's single points of failure.

The runner is async and keeps its CPU-bound parts (zone models) in a worker thread; the Parquet
reads and the topology (networkx) run in worker threads here, so the server keeps answering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphtwin.api import fetchers as fetch
from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record
from graphtwin.audit import ChangeAudit
from graphtwin.simulation.records import (
    RunRecord,
    model_json,
    read_trajectory_file,
    record_from_row,
    trajectory_json,
)
from graphtwin.simulation.result import INACTION
from graphtwin.simulation.topology import single_points_of_failure as spofs
from graphtwin.simulation.topology import supply_network

if TYPE_CHECKING:
    from graphtwin.telemetry.history import HistoryStore


def run_view(record: RunRecord) -> Record:
    """A recorded run as the `SimulationRun` type reads it."""
    summary = record.summary
    outcomes = summary["outcomes"]
    inaction = next((o for o in outcomes if o["name"] == INACTION), None)
    empty = {"removed": [], "lost": [], "partly": []}
    return {
        "run_id": record.run_id,
        "scenario": {
            "scenario_id": record.scenario_id,
            "name": record.scenario_name,
            "inputs": record.inputs,
        },
        "actor": record.actor,
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat(),
        "code_version": record.code_version,
        "start": summary["start"],
        "step_s": summary["step_s"],
        "horizon_s": summary["horizon_s"],
        "outcomes": outcomes,
        "ranking": summary["ranking"],
        "impact": inaction["impact"] if inaction else empty,
        "models": [model_json(m) for m in record.models],
        "affected": list(record.affected),
        "warnings": summary.get("warnings", []),
        "trajectory_file": str(record.trajectories),
    }


async def simulation_run(ctx: ApiContext, parents: Sequence[Any], *, run_id: str) -> list[Any]:
    rows = await ctx.read("simulation/read_run", run_id=run_id)
    runs_dir = ctx.services.settings.simulation_runs_root
    found = run_view(record_from_row(rows[0], runs_dir)) if rows else None
    return [found for _ in parents]


async def simulation_runs(ctx: ApiContext, parents: Sequence[Any], *, first: int) -> list[Any]:
    rows = await ctx.read("simulation/runs_list", first=first)
    runs_dir = ctx.services.settings.simulation_runs_root
    found = [run_view(record_from_row(r, runs_dir)) for r in rows]
    return [found for _ in parents]


async def trajectories(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    node: str | None = None,
    variant: str | None = None,
) -> list[Any]:
    def read(run: Record) -> list[Record]:
        found = read_trajectory_file(Path(run["trajectory_file"]), run["run_id"], variant, node)
        return [trajectory_json(name, t) for name, series in found.items() for t in series]

    return list(await asyncio.gather(*(asyncio.to_thread(read, run) for run in parents)))


async def single_points_of_failure(ctx: ApiContext, parents: Sequence[Record]) -> list[Any]:
    """For each node: the units whose failure alone cuts supply to something under it (the
    supply network of its subtree, `simulation/supply_edges`), the one that cuts most first."""
    ids = [p["twin_id"] for p in parents]
    rows = await ctx.read("simulation/supply_edges", roots=sorted(set(ids)))
    edges: dict[str, list[tuple[str, str, str]]] = {i: [] for i in ids}
    for r in rows:
        edges[r["root"]].append((r["source"], r["type"], r["target"]))

    def compute(root: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        network = supply_network(edges[root])
        return [(s.node, s.members, s.dominates) for s in spofs(network)]

    found = await asyncio.to_thread(lambda: [compute(i) for i in ids])
    named = {i for spof in found for s in spof for i in (s[0], *s[2])}
    nodes = await fetch.nodes(ctx, sorted(named))
    # A node retired between the two reads is left out.
    return [
        [
            {
                "node": nodes[unit],
                "members": list(members),
                "dominates": [nodes[i] for i in dominates if i in nodes],
            }
            for unit, members, dominates in spof
            if unit in nodes
        ]
        for spof in found
    ]


async def simulate(ctx: ApiContext, scenario: dict[str, Any], actor: str) -> Record:
    """Validate the scenario (errors name the field path as a file's would), run it on an
    overlay of the live twin, record it, and answer the recorded run."""
    from graphtwin.simulation.records import record_run
    from graphtwin.simulation.run import run_scenario
    from graphtwin.simulation.scenario import scenario_from_data

    services = ctx.services
    settings = services.settings
    model = scenario_from_data(
        scenario,
        where="scenario",
        max_horizon_s=settings.simulation_max_horizon_s,
        max_steps=settings.simulation_max_steps,
    )
    audit = ChangeAudit.for_actor(settings, actor)
    await asyncio.to_thread(audit.check)  # a log that cannot take the record: refused first
    result = await run_scenario(
        services.driver,
        model,
        database=services.database,
        history=history_store(ctx),
        settings=settings,
        actor=actor,
    )
    record = await record_run(
        services.driver,
        result,
        model,
        database=services.database,
        runs_dir=settings.simulation_runs_root,
        audit=audit,
    )
    return run_view(record)


def history_store(ctx: ApiContext) -> HistoryStore:
    """The history the server's own pipeline keeps (the one its telemetry writes)."""
    from graphtwin.telemetry.history import open_history

    sync = ctx.services.telemetry
    if sync is not None:
        return sync.history
    return open_history(ctx.services.settings)
