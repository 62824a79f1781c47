"""Accepted actions of what-if runs (the decision log), and how they turned out.

`accept_action` records that a person accepted one variant of a recorded run (an action, or
inaction: doing nothing is a decision too) as a `(:Decision {decision_id, run_id, action,
note, by, at, predicted})-[:ACCEPTS]->(:SimulationRun)`, then appends `action_accepted` to the
audit log. `predicted` is the outcome the run foresaw for that variant: its violation hours,
time to the first violation, energy, cost, CO2, rank and because line, and per zone the summary
of its air temperature trajectory (`decision_outcome.ZonePrediction`), naming the point whose
history will tell what really happened.

One decision per action of a run: the id is made of both (unique, migration 0012), so a second
acceptance is an error naming the decision, and nothing is written. An unknown run or action, or
an empty note, is an error naming it, and nothing is written; a log that could not take the
record refuses the decision before anything is written.

`decision_backtest` compares a decision's prediction with the history observed since
(`decision_outcome.backtest_zone`).

>>> decision = await accept_action(driver, run_id="3f2c...", action="raise airflow",
...     note="tenants on level 2 first", by="apikey:k1:ana", database="neo4j",
...     runs_dir=settings.simulation_runs_root, audit=audit)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import neo4j

from graphtwin.audit import ChangeAudit
from graphtwin.errors import InputError
from graphtwin.simulation.decision_outcome import (
    HOLD,
    Limits,
    ZoneBacktest,
    ZonePrediction,
    backtest_zone,
    overall,
    zone_limits,
    zone_prediction,
)
from graphtwin.simulation.overlay import scope_of
from graphtwin.simulation.records import (
    RunRecord,
    read_run,
    read_trajectory_file,
    trajectory_path,
)
from graphtwin.simulation.run import AIR_TEMPERATURE, scope_zone_points
from graphtwin.simulation.scenario import scenario_from_data
from graphtwin.store import statement_runner as runner

if TYPE_CHECKING:
    from graphtwin.telemetry.history import HistoryStore


class DecisionError(InputError):
    """An action that cannot be accepted (unknown run or action, no note, accepted already);
    names the run, action or decision. Nothing was written."""


class AlreadyAcceptedError(DecisionError):
    """The action of this run was accepted before (one decision per action of a run)."""

    def __init__(self, decision_id: str) -> None:
        super().__init__("this action of this run is accepted already", entity=decision_id)
        self.decision_id = decision_id


@dataclass(frozen=True, slots=True)
class Decision:
    """An accepted action as the twin keeps it."""

    decision_id: str
    run_id: str
    action: str
    note: str
    by: str
    at: str
    """ISO 8601, as the twin keeps it."""
    predicted: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "run_id": self.run_id,
            "action": self.action,
            "note": self.note,
            "by": self.by,
            "at": self.at,
            "predicted": self.predicted,
        }


def decision_id_for(run_id: str, action: str) -> str:
    """The id of the decision to take `action` of run `run_id` (one per action of a run).

    >>> decision_id_for("run-1", "raise airflow")
    'decision:run-1:raise airflow'
    """
    return f"decision:{run_id}:{action}"


async def accept_action(
    driver: neo4j.AsyncDriver,
    *,
    run_id: str,
    action: str,
    note: str,
    by: str,
    database: str,
    runs_dir: Path,
    audit: ChangeAudit,
    at: datetime | None = None,
) -> Decision:
    """Record the decision to take `action` of the run, with what the run predicted for it
    (module doc); audited as `action_accepted`."""
    if not note.strip():
        raise DecisionError("accepting an action needs a note saying why", entity=action)
    record = await read_run(driver, run_id, database=database, runs_dir=runs_dir)
    if record is None:
        raise DecisionError("no recorded what-if run with this id", entity=run_id)
    outcomes = {o["name"]: o for o in record.summary["outcomes"]}
    if action not in outcomes:
        raise DecisionError(
            f"run {run_id} has no variant of this name (it has: {', '.join(outcomes)})",
            entity=action,
        )
    points = await _zone_points(driver, record, database=database)
    predicted = await asyncio.to_thread(predicted_outcome, record, action, points)
    await asyncio.to_thread(audit.check)
    decision = Decision(
        decision_id=decision_id_for(run_id, action),
        run_id=run_id,
        action=action,
        note=note.strip(),
        by=by,
        at=(at or datetime.now(UTC)).isoformat(timespec="milliseconds"),
        predicted=predicted,
    )
    try:
        records = await runner.query_async(
            driver,
            "simulation/decision_record",
            run_id=run_id,
            decision_id=decision.decision_id,
            action=action,
            note=decision.note,
            by=by,
            at=decision.at,
            predicted=json.dumps(predicted, sort_keys=True, allow_nan=False),
            database_=database,
        )
    except neo4j.exceptions.ConstraintError as exc:
        raise AlreadyAcceptedError(decision.decision_id) from exc
    if not records:  # the run was deleted since it was read (a reset)
        raise DecisionError("no recorded what-if run with this id", entity=run_id)
    await asyncio.to_thread(audit.action_accepted, decision.to_json())
    return decision


def predicted_outcome(
    record: RunRecord, action: str, points: Mapping[str, str | None]
) -> dict[str, Any]:
    """What the run predicted for `action`: its figures, its place in the ranking, the time
    from the simulated start to its first violation (None: none foreseen), and per zone the
    summary of its air temperature (`ZonePrediction`)."""
    summary = record.summary
    outcome = next(o for o in summary["outcomes"] if o["name"] == action)
    ranked = next((r for r in summary["ranking"] if r["name"] == action), None)
    start = datetime.fromisoformat(summary["start"])
    first = outcome.get("first_violation")
    limits = zone_limits(v for o in summary["outcomes"] for v in o["violations"])
    unknown = Limits(None, None)
    series = read_trajectory_file(record.trajectories, record.run_id, variant=action)
    zones = [
        zone_prediction(
            t.node,
            points.get(t.node),
            t.values,
            summary["step_s"],
            limits.get(t.node, unknown),
        ).to_json()
        for t in series.get(action, [])
        if t.property == AIR_TEMPERATURE
    ]
    return {
        "scenario": record.scenario_name,
        "start": summary["start"],
        "step_s": summary["step_s"],
        "horizon_s": summary["horizon_s"],
        "rank": ranked["rank"] if ranked else None,
        "because": ranked["because"] if ranked else None,
        "violation_hours": outcome["violation_hours"],
        "zones_affected": outcome["zones_affected"],
        "energy_kwh": outcome["energy_kwh"],
        "cost": outcome["cost"],
        "co2_kg": outcome["co2_kg"],
        "time_to_violation_s": (
            (datetime.fromisoformat(first["first_at"]) - start).total_seconds() if first else None
        ),
        "first_violation": first,
        "zones": zones,
    }


async def _zone_points(
    driver: neo4j.AsyncDriver, record: RunRecord, *, database: str
) -> dict[str, str | None]:
    """The air temperature point of each zone the run simulated, as a run finds it now."""
    scenario = scenario_from_data(
        record.inputs, where=f"run {record.run_id}", max_horizon_s=1e12, max_steps=10**9
    )
    scope = scenario.scope or await scope_of(driver, scenario.named_ids(), database=database)
    zones = await scope_zone_points(driver, scope=scope, database=database)
    return {z: p.air_temperature for z, p in zones.items()}


def decision_backtest(
    run_id: str,
    action: str,
    predicted: Mapping[str, Any],
    history: HistoryStore,
    *,
    runs_dir: Path,
    trajectories: Path | None = None,
    now: datetime,
) -> dict[str, Any]:
    """A decision's prediction against the history observed since (see decision_outcome):
    `{status, reason, elapsed_s, mean_abs_error_c, predicted/observed_violation_minutes,
    zones: [ZoneBacktest]}`. `trajectories`: the run's Parquet file where the run recorded it
    (default, or when it moved: in `runs_dir`)."""
    start = datetime.fromisoformat(predicted["start"])
    horizon = timedelta(seconds=predicted["horizon_s"])
    elapsed_s = max(0.0, (min(now, start + horizon) - start).total_seconds())
    moved = trajectory_path(runs_dir, run_id)
    path = trajectories if trajectories and (trajectories.exists() or not moved.exists()) else moved
    series = read_trajectory_file(path, run_id, variant=action)
    trajectories_by_zone = {
        t.node: t for t in series.get(action, []) if t.property == AIR_TEMPERATURE
    }
    zones = [ZonePrediction.from_json(z) for z in predicted["zones"]]
    points = sorted({z.point for z in zones if z.point})
    frame = history.query(points, start - HOLD, min(now, start + horizon) + timedelta(seconds=1))
    observed: dict[str, list[tuple[datetime, float]]] = {p: [] for p in points}
    for twin_id, time_, value in zip(frame["twin_id"], frame["time"], frame["value"], strict=True):
        observed[twin_id].append((time_.to_pydatetime(), float(value)))
    results: list[ZoneBacktest] = []
    for zone in zones:
        trajectory = trajectories_by_zone.get(zone.zone)
        if trajectory is None:
            continue
        results.append(
            backtest_zone(
                zone,
                trajectory.times,
                trajectory.values,
                observed.get(zone.point or "", []),
                now=now,
                step_s=predicted["step_s"],
            )
        )
    return {**overall(results), "elapsed_s": elapsed_s, "zones": [z.to_json() for z in results]}
