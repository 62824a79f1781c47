"""What-if runs with lineage: a run's records in the graph, its trajectories in Parquet.

`record_run` writes one run, after it ran, in this order:

1. the trajectories, to `runs_dir/<run_id>.parquet` (a temporary file renamed into place, so no
   reader ever sees half of it), one row per variant, node, property and time step:
   `run_id, variant, node, property, unit, time, value, lower, upper, band_level`;
2. in ONE write transaction: `(:Scenario {scenario_id, name, inputs, created_at})` (merged on
   `scenario_id`, the hash of the inputs: the same inputs are the same scenario),
   `(:SimulationRun {run_id, actor, started_at, finished_at, code_version, summary, models,
   trajectories})-[:OF_SCENARIO]->(:Scenario)` and `(:SimulationRun)-[:SIMULATES]->(n:Twin)` for
   each live entity the run affected. If that transaction fails, the Parquet file is removed;
3. a `simulated` record in the audit log (with the Parquet file's sha256).

Nothing else of the twin is written: a run computes on an in-memory overlay.

`summary` and `models` are JSON text: the summary holds, per variant, the comparison figures,
its topology impact and its violations (with their because chains), and the ranking with its
because lines; `models` the zone models used, with their fit metadata (`ModelUse`).

>>> record = await record_run(driver, result, scenario, database="neo4j",
...                           runs_dir=settings.simulation_runs_root, audit=audit)  # doctest: +SKIP
>>> read_trajectories(runs_dir, record.run_id, variant="inaction")  # doctest: +SKIP
{'inaction': [Trajectory(node='zone-1', property='air_temperature', ...)]}
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import neo4j
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graphtwin.audit import ChangeAudit
from graphtwin.errors import GraphTwinError
from graphtwin.simulation.result import (
    Impact,
    ModelUse,
    Outcome,
    SimulationResult,
    Trajectory,
    ViolationSpan,
)
from graphtwin.store import statement_runner as runner

if TYPE_CHECKING:
    from graphtwin.simulation.scenario import Scenario

TIME_TYPE = pa.timestamp("us", tz="UTC")
TRAJECTORY_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string()),
        pa.field("variant", pa.string()),
        pa.field("node", pa.string()),
        pa.field("property", pa.string()),
        pa.field("unit", pa.string()),
        pa.field("time", TIME_TYPE),
        pa.field("value", pa.float64()),
        pa.field("lower", pa.float64()),
        pa.field("upper", pa.float64()),
        pa.field("band_level", pa.float64()),
    ]
)
"""The columns of a run's Parquet file: one row per variant, node, property and time step."""


class SimulationRecordError(GraphTwinError):
    """A run cannot be recorded or read back (its id is taken, its file is missing or
    unreadable). The message names the run and the file."""

    def __init__(self, message: str, *, run_id: str, path: Path | None = None) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}run {run_id}: {message}")
        self.run_id = run_id
        self.path = path


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A recorded run as the graph holds it (`read_run`), or as `record_run` wrote it."""

    run_id: str
    scenario_id: str
    scenario_name: str
    inputs: dict[str, Any]
    """The scenario's inputs, as the scenario file's fields."""
    actor: str
    started_at: datetime
    finished_at: datetime
    code_version: str
    summary: dict[str, Any]
    """See `run_summary`."""
    models: tuple[ModelUse, ...]
    trajectories: Path
    """The run's Parquet file."""
    affected: tuple[str, ...]
    """The live entities the run is linked to (`SIMULATES`), sorted."""


# --- JSON forms ---------------------------------------------------------------------------------


def scenario_inputs(scenario: Scenario) -> dict[str, Any]:
    """The scenario's inputs as plain JSON, with the scenario file's field names."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


def span_json(span: ViolationSpan) -> dict[str, Any]:
    data = asdict(span)
    data.update(first_at=span.first_at.isoformat(), constraint_ids=list(span.constraint_ids))
    return data


def impact_json(impact: Impact) -> dict[str, list[str]]:
    return {
        "removed": list(impact.removed),
        "lost": list(impact.lost),
        "partly": list(impact.partly),
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """A variant's comparison figures, impact and violations (its trajectories are in the
    Parquet file); `first_violation` is the earliest of its violations."""
    first = min(outcome.violations, key=lambda v: (v.first_at, v.node), default=None)
    return {
        "name": outcome.name,
        "violation_hours": outcome.violation_hours,
        "zones_affected": list(outcome.zones_affected),
        "energy_kwh": outcome.energy_kwh,
        "cost": outcome.cost,
        "co2_kg": outcome.co2_kg,
        "band_width_k": outcome.band_width_k,
        "impact": impact_json(outcome.impact),
        "violations": [span_json(v) for v in outcome.violations],
        "first_violation": span_json(first) if first else None,
    }


def run_summary(result: SimulationResult) -> dict[str, Any]:
    """The summary a `SimulationRun` keeps: when and how the run was simulated, per variant the
    comparison figures, impact and violations, and the ranking with its because lines."""
    return {
        "start": result.start.isoformat(),
        "step_s": result.step_s,
        "horizon_s": result.horizon_s,
        "outcomes": [outcome_json(o) for o in result.outcomes],
        "ranking": [asdict(r) for r in result.ranking],
        "warnings": list(result.warnings),
    }


def model_json(model: ModelUse) -> dict[str, Any]:
    return {
        **asdict(model),
        "fitted_from": _iso(model.fitted_from),
        "fitted_to": _iso(model.fitted_to),
    }


def model_from_json(data: Mapping[str, Any]) -> ModelUse:
    return ModelUse(
        zone=str(data["zone"]),
        model_id=str(data["model_id"]),
        calibrated=bool(data["calibrated"]),
        rmse_k=None if data.get("rmse_k") is None else float(data["rmse_k"]),
        samples=int(data["samples"]),
        fitted_from=_time(data.get("fitted_from")),
        fitted_to=_time(data.get("fitted_to")),
        stale=bool(data["stale"]),
    )


def trajectory_json(variant: str, trajectory: Trajectory) -> dict[str, Any]:
    return {
        "variant": variant,
        "node": trajectory.node,
        "property": trajectory.property,
        "unit": trajectory.unit,
        "band_level": trajectory.band_level,
        "times": [t.isoformat() for t in trajectory.times],
        "values": list(trajectory.values),
        "lower": list(trajectory.lower),
        "upper": list(trajectory.upper),
    }


def result_json(result: SimulationResult) -> dict[str, Any]:
    """The whole result as JSON (`graphtwin simulate --json`): the run's lineage, its summary,
    the models and every trajectory."""
    return {
        "run_id": result.run_id,
        "scenario_id": result.scenario_id,
        "scenario": result.scenario_name,
        "actor": result.actor,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "code_version": result.code_version,
        **run_summary(result),
        "models": [model_json(m) for m in result.models],
        "affected": list(result.affected),
        "trajectories": [
            trajectory_json(o.name, t) for o in result.outcomes for t in o.trajectories
        ],
    }


def record_json(record: RunRecord) -> dict[str, Any]:
    """A recorded run as JSON (`graphtwin simulation show --json`), trajectories left in their
    file (named by `trajectories`)."""
    return {
        "run_id": record.run_id,
        "scenario_id": record.scenario_id,
        "scenario": record.scenario_name,
        "inputs": record.inputs,
        "actor": record.actor,
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat(),
        "code_version": record.code_version,
        **record.summary,
        "models": [model_json(m) for m in record.models],
        "affected": list(record.affected),
        "trajectories": str(record.trajectories),
    }


# --- Parquet ------------------------------------------------------------------------------------


def trajectory_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / f"{run_id}.parquet"


def trajectory_table(result: SimulationResult) -> pa.Table:
    """Every trajectory of every variant as rows of `TRAJECTORY_SCHEMA`."""
    columns: dict[str, list[Any]] = {name: [] for name in TRAJECTORY_SCHEMA.names}
    for outcome in result.outcomes:
        for t in outcome.trajectories:
            n = len(t.times)
            columns["run_id"] += [result.run_id] * n
            columns["variant"] += [outcome.name] * n
            columns["node"] += [t.node] * n
            columns["property"] += [t.property] * n
            columns["unit"] += [t.unit] * n
            columns["time"] += list(t.times)
            columns["value"] += list(t.values)
            columns["lower"] += list(t.lower)
            columns["upper"] += list(t.upper)
            columns["band_level"] += [t.band_level] * n
    return pa.table(
        [pa.array(columns[f.name], f.type) for f in TRAJECTORY_SCHEMA], schema=TRAJECTORY_SCHEMA
    )


def write_trajectories(result: SimulationResult, runs_dir: Path) -> Path:
    """Write the run's trajectories to `runs_dir/<run_id>.parquet` atomically (a dot-file then
    a rename); refuses to replace the file of a run already written."""
    path = trajectory_path(runs_dir, result.run_id)
    if path.exists():
        raise SimulationRecordError("is already recorded", run_id=result.run_id, path=path)
    runs_dir.mkdir(parents=True, exist_ok=True)
    temporary = runs_dir / f".{result.run_id}.parquet.tmp"
    try:
        pq.write_table(trajectory_table(result), temporary, compression="zstd")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def read_trajectories(
    runs_dir: Path, run_id: str, variant: str | None = None, node: str | None = None
) -> dict[str, list[Trajectory]]:
    """A recorded run's trajectories by variant (in the order they were written), only those of
    `variant` and `node` when given. A variant or node the run has not is an empty answer."""
    return read_trajectory_file(trajectory_path(runs_dir, run_id), run_id, variant, node)


def read_trajectory_file(
    path: Path, run_id: str, variant: str | None = None, node: str | None = None
) -> dict[str, list[Trajectory]]:
    """`read_trajectories` from the file itself (a record names its file)."""
    try:
        table = pq.read_table(path, schema=TRAJECTORY_SCHEMA)
    except FileNotFoundError as exc:
        raise SimulationRecordError("has no trajectory file", run_id=run_id, path=path) from exc
    except (OSError, pa.ArrowException) as exc:
        raise SimulationRecordError(
            f"its trajectory file cannot be read: {exc}", run_id=run_id, path=path
        ) from exc
    if variant is not None:
        table = table.filter(pc.equal(table["variant"], variant))
    if node is not None:
        table = table.filter(pc.equal(table["node"], node))
    return _trajectories(table)


def _trajectories(table: pa.Table) -> dict[str, list[Trajectory]]:
    if table.num_rows == 0:
        return {}
    variants = table["variant"].to_pylist()
    nodes = table["node"].to_pylist()
    properties = table["property"].to_pylist()
    # Rows of one trajectory are contiguous (written so); a key change starts the next one.
    keys = list(zip(variants, nodes, properties, strict=True))
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    bounds = list(zip(starts, [*starts[1:], len(keys)], strict=True))
    times = table["time"].to_pylist()
    value = table["value"].to_numpy()
    lower = table["lower"].to_numpy()
    upper = table["upper"].to_numpy()
    units = table["unit"].to_pylist()
    levels = table["band_level"].to_numpy()
    found: dict[str, list[Trajectory]] = {}
    for begin, end in bounds:
        found.setdefault(variants[begin], []).append(
            Trajectory(
                node=nodes[begin],
                property=properties[begin],
                unit=units[begin],
                times=tuple(times[begin:end]),
                values=_floats(value[begin:end]),
                lower=_floats(lower[begin:end]),
                upper=_floats(upper[begin:end]),
                band_level=float(levels[begin]),
            )
        )
    return found


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- the graph ----------------------------------------------------------------------------------


async def record_run(
    driver: neo4j.AsyncDriver,
    result: SimulationResult,
    scenario: Scenario,
    *,
    database: str,
    runs_dir: Path,
    audit: ChangeAudit,
) -> RunRecord:
    """Record a finished run: trajectories to Parquet, then the Scenario, the SimulationRun and
    its SIMULATES links in one write transaction, then the audit record (module docstring).

    A log that could not take the record refuses the run before anything is written; a graph
    write that fails leaves no Parquet file behind.
    """
    await asyncio.to_thread(audit.check)
    inputs = scenario_inputs(scenario)
    summary = run_summary(result)
    params = {
        "scenario_id": result.scenario_id,
        "name": result.scenario_name,
        "inputs": _json_text(inputs),
        "run_id": result.run_id,
        "actor": result.actor,
        "started_at": _utc(result.started_at),
        "finished_at": _utc(result.finished_at),
        "code_version": result.code_version,
        "summary": _json_text(summary),
        "models": _json_text([model_json(m) for m in result.models]),
        "trajectories": str(trajectory_path(runs_dir, result.run_id)),
        "affected": sorted(set(result.affected)),
    }
    path = await asyncio.to_thread(write_trajectories, result, runs_dir)

    async def work(tx: neo4j.AsyncManagedTransaction) -> list[str]:
        [_] = await runner.rows_async(tx, "simulation/record_run", **params)
        [row] = await runner.rows_async(tx, "simulation/read_run", run_id=result.run_id)
        return [str(i) for i in row["affected"]]

    try:
        # The driver's bookmarks: its later reads (`read_run`) see this run, even on a follower.
        bookmarks = driver.execute_query_bookmark_manager
        async with driver.session(database=database, bookmark_manager=bookmarks) as session:
            affected = await session.execute_write(work)
    except neo4j.exceptions.ConstraintError as exc:
        path.unlink(missing_ok=True)
        raise SimulationRecordError("is already recorded", run_id=result.run_id) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    await asyncio.to_thread(_audit_run, audit, result, affected, path)
    return RunRecord(
        run_id=result.run_id,
        scenario_id=result.scenario_id,
        scenario_name=result.scenario_name,
        inputs=inputs,
        actor=result.actor,
        started_at=result.started_at,
        finished_at=result.finished_at,
        code_version=result.code_version,
        summary=summary,
        models=tuple(result.models),
        trajectories=path,
        affected=tuple(affected),
    )


def _audit_run(
    audit: ChangeAudit, result: SimulationResult, affected: list[str], path: Path
) -> None:
    audit.simulated(
        run_id=result.run_id,
        scenario_id=result.scenario_id,
        name=result.scenario_name,
        variants=[o.name for o in result.outcomes],
        best=result.ranking[0].name if result.ranking else None,
        affected=affected,
        trajectories=str(path),
        trajectories_sha256=file_sha256(path),
    )


async def read_run(
    driver: neo4j.AsyncDriver, run_id: str, *, database: str, runs_dir: Path
) -> RunRecord | None:
    """A recorded run by id, None when there is none. Its trajectories stay in their file
    (`read_trajectory_file(record.trajectories, ...)`)."""
    records = await runner.query_async(
        driver, "simulation/read_run", database_=database, read_=True, run_id=run_id
    )
    return record_from_row(records[0], runs_dir) if records else None


def record_from_row(row: Mapping[str, Any], runs_dir: Path) -> RunRecord:
    """A `simulation/read_run` answer as a RunRecord (the API reads it with its own driver
    call). A trajectory file that moved with the runs folder is found there."""
    stored = Path(row["trajectories"])
    moved = trajectory_path(runs_dir, row["run_id"])
    return RunRecord(
        run_id=row["run_id"],
        scenario_id=row["scenario_id"],
        scenario_name=row["scenario_name"],
        inputs=json.loads(row["inputs"]),
        actor=row["actor"],
        started_at=_native(row["started_at"]),
        finished_at=_native(row["finished_at"]),
        code_version=row["code_version"],
        summary=json.loads(row["summary"]),
        models=tuple(model_from_json(m) for m in json.loads(row["models"])),
        trajectories=stored if stored.exists() or not moved.exists() else moved,
        affected=tuple(row["affected"]),
    )


def _native(value: Any) -> datetime:
    return value.to_native() if hasattr(value, "to_native") else value


def _json_text(value: Any) -> str:
    """Canonical JSON text (sorted keys); a number that is not finite is written as null."""
    return json.dumps(_finite(value), sort_keys=True, ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
