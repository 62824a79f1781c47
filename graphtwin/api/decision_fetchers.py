"""The decision log for the API: accept an action of a what-if run (`acceptAction`), and list
accepted actions with their predicted outcome and the outcome observed since (`decisions`).

The backtest reads Parquet (the run's trajectories, the history): it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record
from graphtwin.api.simulation_fetchers import history_store
from graphtwin.audit import ChangeAudit
from graphtwin.simulation.decisions import Decision, accept_action, decision_backtest


def decision_view(decision: Decision | Record) -> Record:
    """A decision (as accepted, or a `simulation/decisions_list` row) as the `Decision` type
    reads it."""
    data = decision.to_json() if isinstance(decision, Decision) else dict(decision)
    predicted = data["predicted"]
    if isinstance(predicted, str):
        predicted = json.loads(predicted)
    return {**data, "scenario": predicted["scenario"], "predicted": predicted}


async def accept(ctx: ApiContext, run_id: str, action: str, note: str, actor: str) -> Record:
    services = ctx.services
    decision = await accept_action(
        services.driver,
        run_id=run_id,
        action=action,
        note=note,
        by=actor,
        database=services.database,
        runs_dir=services.settings.simulation_runs_root,
        audit=ChangeAudit.for_actor(services.settings, actor),
    )
    return decision_view(decision)


async def decisions(
    ctx: ApiContext, parents: Sequence[Any], *, first: int, run_id: str | None = None
) -> list[Any]:
    rows = await ctx.read("simulation/decisions_list", first=first, run_id=run_id)
    views = [decision_view(r) for r in rows]
    return [views for _ in parents]


async def observed(ctx: ApiContext, parents: Sequence[Record]) -> list[Any]:
    """Each decision's prediction against the history since (decision_outcome)."""
    runs_dir = ctx.services.settings.simulation_runs_root
    history = history_store(ctx)
    now = datetime.now(UTC)

    def compare(view: Record) -> Record:
        stored = view.get("trajectories")
        return decision_backtest(
            view["run_id"],
            view["action"],
            view["predicted"],
            history,
            runs_dir=runs_dir,
            trajectories=Path(stored) if stored else None,
            now=now,
        )

    return list(await asyncio.gather(*(asyncio.to_thread(compare, p) for p in parents)))
