"""Run a what-if scenario on an in-memory overlay of the live twin: action against inaction.

`run_scenario` reads what it needs (the building in scope with its points and current values,
the zone models `graphtwin calibrate` stored, the recent history, the zones' effective
constraints), computes every variant in memory and returns a `SimulationResult`. It writes
nothing: `records.record_run` writes the run's own records afterwards.

For each variant (inaction, then each action):

1. the interventions become per-zone drivers (`drivers.zone_drivers`): HVAC availability from
   the supply network without the tripped equipment (networkx, `topology`), capacity kept by a
   redundant feed or raised by an airflow action, gains and setpoints;
2. every zone's calibrated 2R2C model (`thermal.predict`) simulates the air temperature with
   its band and the HVAC heat, from the zone's state now (the last observed air temperature and
   a mass temperature estimated over the recent history);
3. each temperature trajectory is checked against the zone's effective constraints
   (`timing`): the first violation, its duration and severity, and its because chain;
4. the HVAC heat gives energy, cost and carbon (`costs`).

The variants are then ranked (`compare`). CPU-bound work runs in a worker thread, so an API
event loop is never blocked.

>>> result = await run_scenario(driver, load_scenario(path), database="neo4j",
...     history=history, settings=settings, actor="cli:ana")  # doctest: +SKIP
>>> [r.name for r in result.ranking]  # doctest: +SKIP
['raise other floors airflow', 'inaction']
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import neo4j
import networkx as nx
import numpy as np
import pandas as pd

import graphtwin
from graphtwin.config import Settings
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.constraints import EffectiveConstraint
from graphtwin.simulation import outdoor
from graphtwin.simulation.compare import rank_outcomes
from graphtwin.simulation.costs import energy_cost_carbon
from graphtwin.simulation.drivers import Baseline, VariantDrivers, zone_drivers
from graphtwin.simulation.errors import SimulationInputError
from graphtwin.simulation.models import load_models, model_use
from graphtwin.simulation.overlay import Overlay, read_overlay, scope_of
from graphtwin.simulation.result import (
    ModelUse,
    Outcome,
    SimulationResult,
    Trajectory,
    ViolationSpan,
)
from graphtwin.simulation.scenario import ConstantOutdoor, EpwOutdoor, Scenario
from graphtwin.simulation.thermal.points import NodeInfo, ZonePoints, zone_points
from graphtwin.simulation.thermal.predict import (
    WARMUP_S,
    FutureInputs,
    InitialState,
    NoRecentTemperatureError,
    Prediction,
    initial_state,
    predict,
)
from graphtwin.simulation.thermal.series import DEFAULT_MAX_GAP_S, ZoneSeries, zone_series
from graphtwin.simulation.thermal.zone_model import ZoneModel
from graphtwin.simulation.timing import violation_hours, violation_spans
from graphtwin.simulation.topology import SupplyNetwork
from graphtwin.telemetry.history import HistoryStore

AIR_TEMPERATURE = "air_temperature"
HVAC_POWER = "hvac_power"
BAND_LEVEL = 0.9
SETBACK_K = 0.5
"""A zone is taken as occupied where its baseline cooling setpoint is within this of its
lowest over the horizon, when the setpoint has a setback at all (see `occupied_steps`)."""


async def run_scenario(
    driver: neo4j.AsyncDriver,
    scenario: Scenario,
    *,
    database: str,
    history: HistoryStore,
    settings: Settings,
    actor: str,
    now: datetime | None = None,
) -> SimulationResult:
    """Simulate `scenario`'s variants on an overlay of the twin (see the module doc). Raises a
    `SimulationInputError` naming the scenario field for an unknown entity or an intervention
    that cannot be applied; nothing is written in any case."""
    started_at = datetime.now(UTC)
    start = (scenario.start or now or started_at).astimezone(UTC)
    named = scenario.named_ids()
    scope = scenario.scope or await scope_of(driver, named, database=database)
    overlay = await read_overlay(driver, scope=scope, database=database)
    _check_named(named, overlay)
    zones = zone_points(_node_infos(overlay), overlay.edges)
    if not zones:
        raise SimulationInputError(
            "the building has no zone the twin can simulate (a Zone with a "
            "Zone_Air_Temperature_Sensor point)",
            field="scope",
            entity=scope,
        )
    models, (frame, outside, schedule) = await asyncio.gather(
        load_models(driver, zones, database=database, now=start),
        asyncio.to_thread(_read_history, history, zones, start, scenario.horizon_s),
    )
    tz = scenario.local_tz or UTC
    # The zones' constraints are read while the variants are simulated (Neo4j and Python
    # on their own cores); the trajectories are checked against them afterwards.
    reader = ConstraintReader(driver, database, timeout_s=settings.api_query_timeout_s)
    effective, (simulated, occupied, uses, warnings) = await asyncio.gather(
        reader.effective_constraints(sorted(zones)),
        asyncio.to_thread(
            _simulate,
            scenario,
            start,
            tz,
            overlay,
            zones,
            models.models,
            frame,
            outside,
            schedule,
        ),
    )
    outcomes = await asyncio.to_thread(
        lambda: [_checked(o, effective, occupied) for o in simulated]
    )
    ranking = rank_outcomes(outcomes)
    affected = _affected(named, outcomes)
    return SimulationResult(
        run_id=str(uuid.uuid4()),
        scenario_id=scenario_id(scenario),
        scenario_name=scenario.name,
        start=start,
        step_s=scenario.step_s,
        horizon_s=scenario.horizon_s,
        outcomes=tuple(outcomes),
        ranking=ranking,
        models=tuple(uses),
        affected=affected,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        actor=actor,
        code_version=graphtwin.__version__,
        warnings=tuple([*models.warnings, *warnings]),
    )


def _read_history(
    history: HistoryStore, zones: Mapping[str, ZonePoints], start: datetime, horizon_s: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The zones' last two days (their state now); the outdoor temperature over the horizon
    too (a replay uses what was recorded; a run that starts now finds nothing there); the
    setpoints over the same hours a week earlier (the same weekday's schedule)."""
    since = start - timedelta(seconds=WARMUP_S)
    ahead = timedelta(seconds=horizon_s * 1.01 + 3600)
    point_ids = sorted({p for z in zones.values() for p in z.point_ids()})
    frame = history.query(point_ids, since, start)
    outdoor_ids = sorted({z.outdoor_temperature for z in zones.values() if z.outdoor_temperature})
    outside = history.query(outdoor_ids, since, start + ahead)
    setpoint_ids = sorted(
        {p for z in zones.values() for p in (z.heating_setpoint, z.cooling_setpoint) if p}
    )
    week = timedelta(days=7)
    earlier = history.query(setpoint_ids, start - week - timedelta(hours=1), start - week + ahead)
    recent = frame[frame["twin_id"].isin(setpoint_ids)] if len(frame) else frame
    schedule = pd.concat([earlier, recent], ignore_index=True) if len(earlier) else recent
    return frame, outside, schedule


def scenario_id(scenario: Scenario) -> str:
    """The hash of a scenario's inputs: the same inputs are the same scenario."""
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return "scenario-" + hashlib.sha256(text.encode()).hexdigest()[:16]


# --- the computation (a worker thread) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Zone:
    points: ZonePoints
    model: ZoneModel
    recent: ZoneSeries
    state: InitialState


def _simulate(
    scenario: Scenario,
    start: datetime,
    tz: tzinfo,
    overlay: Overlay,
    zones: Mapping[str, ZonePoints],
    models: Mapping[str, ZoneModel],
    frame: pd.DataFrame,
    outside: pd.DataFrame,
    schedule: pd.DataFrame,
) -> tuple[list[Outcome], dict[str, np.ndarray | None], list[ModelUse], list[str]]:
    """Every variant's trajectories, impact and energy (not yet checked against constraints),
    each zone's occupied steps, the models used and the warnings."""
    step_s = scenario.step_s
    times = scenario.step_starts(start)
    warnings: list[str] = []
    by_point = {str(k): g for k, g in frame.groupby("twin_id", sort=False)} if len(frame) else {}
    schedules = (
        {str(k): g for k, g in schedule.groupby("twin_id", sort=False)} if len(schedule) else {}
    )
    prepared = {z: _prepare(zones[z], models[z], by_point, overlay, start, step_s) for z in zones}
    t_out = _outdoor(scenario, times, step_s, zones, outside, overlay, warnings)
    baseline = Baseline(
        times=times,
        step_s=step_s,
        tz=tz,
        heating_sp={
            z: _setpoint(schedules, zones[z].heating_setpoint, p.recent.heating_sp, times, step_s)
            for z, p in prepared.items()
        },
        cooling_sp={
            z: _setpoint(schedules, zones[z].cooling_setpoint, p.recent.cooling_sp, times, step_s)
            for z, p in prepared.items()
        },
        floor_area_m2={z: float(zones[z].floor_area_m2 or 0.0) for z in zones},
    )
    occupied = {z: occupied_steps(baseline.cooling_sp[z]) for z in zones}
    network = _network(overlay, zones)
    hierarchy = nx.DiGraph(
        [(a, b) for a, rel, b in overlay.edges if rel in ("CONTAINS", "HAS_PART")]
    )
    outcomes = []
    for variant in scenario.variants():
        drivers = zone_drivers(
            variant.interventions,
            variant.fields,
            zones=sorted(zones),
            baseline=baseline,
            network=network,
            hierarchy=hierarchy,
        )
        outcomes.append(_outcome(variant.name, scenario, start, tz, t_out, drivers, prepared))
    uses = [model_use(prepared[z].model, start) for z in sorted(prepared)]
    priors = [u.zone for u in uses if not u.calibrated]
    if priors:
        warnings.append(
            f"{len(priors)} zone(s) simulated from geometry priors, not calibrated (wide band): "
            + ", ".join(priors[:5])
            + (" ..." if len(priors) > 5 else "")
            + "; run `graphtwin calibrate`"
        )
    stale = [u.zone for u in uses if u.stale]
    if stale:
        warnings.append(
            f"{len(stale)} zone model(s) past their stated age; run `graphtwin calibrate`"
        )
    return outcomes, occupied, uses, warnings


def _checked(
    outcome: Outcome,
    effective: Mapping[str, list[EffectiveConstraint]],
    occupied: Mapping[str, np.ndarray | None],
) -> Outcome:
    """The variant with its zones' temperature trajectories checked against their effective
    constraints: the violations, their hours and the zones affected."""
    spans: list[ViolationSpan] = []
    for t in outcome.trajectories:
        if t.property != AIR_TEMPERATURE:
            continue
        mask = occupied.get(t.node)
        spans += violation_spans(
            effective.get(t.node, []),
            node=t.node,
            property=AIR_TEMPERATURE,
            unit=t.unit,
            times=t.times,
            values=t.values,
            occupied=None if mask is None else mask.tolist(),
        )
    return replace(
        outcome,
        violations=tuple(spans),
        violation_hours=violation_hours(spans),
        zones_affected=tuple(sorted({s.node for s in spans})),
    )


def _outcome(
    name: str,
    scenario: Scenario,
    start: datetime,
    tz: tzinfo,
    t_out: np.ndarray,
    drivers: VariantDrivers,
    prepared: Mapping[str, _Zone],
) -> Outcome:
    """One variant simulated: trajectories, impact, energy; violations come with `_checked`."""
    step_s = scenario.step_s
    trajectories: list[Trajectory] = []
    power = np.zeros(len(t_out))
    widest = 0.0
    for zone in sorted(prepared):
        z, d = prepared[zone], drivers.zones[zone]
        future = FutureInputs.create(
            start=start,
            step_s=step_s,
            t_out=t_out,
            hvac_available=d.available,
            heating_sp=d.heating_sp,
            cooling_sp=d.cooling_sp,
            capacity_factor=d.capacity_factor,
            gains_factor=_gains_factor(z.model, d.gains_factor, d.gains_w, start, step_s),
        )
        p = predict(z.model, z.recent, future, band_level=BAND_LEVEL, initial=z.state)
        temperature = _trajectory(p, zone, AIR_TEMPERATURE, "degC", p.t_air, p.lower, p.upper)
        trajectories.append(temperature)
        trajectories.append(_trajectory(p, zone, HVAC_POWER, "W", p.q_hvac, p.q_hvac, p.q_hvac))
        power += np.abs(p.q_hvac)
        widest = max(widest, temperature.band_width)
    money = energy_cost_carbon(
        power, scenario.step_starts(start), step_s, scenario.tariff, scenario.carbon, tz
    )
    return Outcome(
        name=name,
        impact=drivers.impact,
        trajectories=tuple(trajectories),
        violations=(),
        violation_hours=0.0,
        zones_affected=(),
        energy_kwh=float(money.kwh),
        cost=float(money.cost),
        co2_kg=float(money.kg_co2),
        band_width_k=widest,
    )


def _trajectory(
    p: Prediction,
    zone: str,
    prop: str,
    unit: str,
    values: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> Trajectory:
    times = tuple(
        datetime.fromtimestamp(int(t), UTC) for t in p.times.astype("datetime64[s]").astype(int)
    )
    return Trajectory(
        node=zone,
        property=prop,
        unit=unit,
        times=times,
        values=tuple(float(v) for v in values),
        lower=tuple(float(v) for v in lower),
        upper=tuple(float(v) for v in upper),
        band_level=p.band_level,
    )


def _prepare(
    points: ZonePoints,
    model: ZoneModel,
    by_point: Mapping[str, pd.DataFrame],
    overlay: Overlay,
    start: datetime,
    step_s: float,
) -> _Zone:
    """The zone's recent series (its history, with the current value of any point the history
    lacks, or has only older values of) and its state now."""
    ids = points.point_ids()
    parts = [by_point[i] for i in ids if i in by_point]
    current = _current_values(ids, by_point, overlay, start)
    if len(current) or not parts:
        parts.append(current)
    own = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if not (own["twin_id"] == points.air_temperature).any():
        raise SimulationInputError(
            "the zone's air temperature has neither history nor a current value to start from",
            field="scope",
            entity=points.zone,
        )
    own = _held_to_start(own, points.air_temperature, start)
    recent = zone_series(own, points, start - timedelta(seconds=WARMUP_S), start, step_s)
    try:
        state = initial_state(model, recent)
    except NoRecentTemperatureError as error:
        raise SimulationInputError(str(error), field="scope", entity=points.zone) from error
    return _Zone(points=points, model=model, recent=recent, state=state)


def _held_to_start(frame: pd.DataFrame, point: str, start: datetime) -> pd.DataFrame:
    """`frame` with `point`'s last value before `start` held to `start` (a row stamped `start`),
    where it is at most DEFAULT_MAX_GAP_S old: the zone's temperature now is its last reading,
    and a step grid can only read a value between two samples (one sample a few minutes old,
    on no step, would leave the run nothing to start from)."""
    at = _utc(start)
    rows = frame[frame["twin_id"] == point]
    times = pd.to_datetime(rows["time"], utc=True)
    before = times[times <= at]
    if not len(before):
        return frame
    last = before.idxmax()
    if before[last] == at or (at - before[last]).total_seconds() > DEFAULT_MAX_GAP_S:
        return frame
    held = rows.loc[[last]].assign(time=at, source="held")
    return pd.concat([frame, held], ignore_index=True)


def _current_values(
    ids: Sequence[str], by_point: Mapping[str, pd.DataFrame], overlay: Overlay, start: datetime
) -> pd.DataFrame:
    """Rows of the points' current values where the history lacks them: stamped `start` for a
    point the history has nothing of; at their own time for one whose current value is newer
    than its history's last and not after `start` (a value written to the graph alone, or a
    history with one old sample that no grid step can be read from; none for a replay that
    starts before them)."""
    rows = []
    for i in ids:
        value = overlay.current(i)
        if value is None:
            continue
        if i not in by_point:
            at = pd.Timestamp(start)
        else:
            node = overlay.nodes[i]
            if node.value_at is None:
                continue
            at = _utc(node.value_at)
            if not _utc(by_point[i]["time"].max()) < at <= _utc(start):
                continue
        rows.append({"twin_id": i, "time": at, "value": value, "quality": "good",
                     "source": "current"})  # fmt: skip
    return pd.DataFrame(rows, columns=["twin_id", "time", "value", "quality", "source"])


def _utc(moment: object) -> pd.Timestamp:
    """`moment` (a datetime, a Timestamp or an ISO string) as an aware UTC Timestamp."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _outdoor(
    scenario: Scenario,
    times: Sequence[datetime],
    step_s: float,
    zones: Mapping[str, ZonePoints],
    frame: pd.DataFrame,
    overlay: Overlay,
    warnings: list[str],
) -> np.ndarray:
    """The outdoor temperature over each step, by the scenario's `outdoor` (at step ends)."""
    ends = [t + timedelta(seconds=step_s) for t in times]
    source = scenario.outdoor
    if isinstance(source, ConstantOutdoor):
        return outdoor.constant(ends, source.value_c)
    if isinstance(source, EpwOutdoor):
        return outdoor.from_epw(ends, Path(source.file))
    ids = sorted({z.outdoor_temperature for z in zones.values() if z.outdoor_temperature})
    recorded = [i for i in ids if len(frame) and (frame["twin_id"] == i).any()]
    past = frame[frame["twin_id"] == recorded[0]] if recorded else frame.iloc[0:0]
    if len(past):
        stamps = [t.to_pydatetime() for t in pd.to_datetime(past["time"], utc=True)]
        if max(stamps) < ends[-1]:
            warnings.append(
                "the history's outdoor temperature ends before the horizon does: after its "
                "end, each step takes the value of the same hour a day earlier"
            )
        return outdoor.from_history(ends, stamps, past["value"].to_numpy(float))
    current = [overlay.current(i) for i in ids]
    known = [c for c in current if c is not None]
    if known:
        warnings.append("outdoor temperature: no history; its current value held constant")
        return outdoor.constant(ends, known[0])
    return outdoor.from_history(ends, [], np.array([]))  # raises: nothing to go by


def _setpoint(
    schedules: Mapping[str, pd.DataFrame],
    point: str | None,
    recent: np.ndarray,
    times: Sequence[datetime],
    step_s: float,
) -> np.ndarray:
    """The zone's setpoint ahead: its recorded schedule a week earlier (the same weekday),
    else a day earlier; a point without history holds its current value (NaN: no point)."""
    ends = np.array([t.timestamp() + step_s for t in times])
    rows = schedules.get(point) if point else None
    if rows is not None and len(rows):
        stamps = (
            pd.to_datetime(rows["time"], utc=True)
            .dt.tz_convert(None)
            .to_numpy()
            .astype("datetime64[s]")
            .astype(np.int64)
            .astype(float)
        )
        return outdoor.weeks_ahead_s(ends, stamps, rows["value"].to_numpy(float))
    known = recent[~np.isnan(recent)]
    return np.full(len(times), known[-1] if known.size else np.nan)


def occupied_steps(cooling_sp: np.ndarray) -> np.ndarray | None:
    """Occupied where the cooling setpoint is at its occupied (lowest) level; None when the
    setpoint is unknown or has no setback over the horizon (occupancy cannot be told)."""
    if np.isnan(cooling_sp).all():
        return None
    low, high = np.nanmin(cooling_sp), np.nanmax(cooling_sp)
    if high - low < SETBACK_K:
        return None
    return cooling_sp <= low + SETBACK_K


def _gains_factor(
    model: ZoneModel, factor: np.ndarray, watts: np.ndarray, start: datetime, step_s: float
) -> np.ndarray:
    """The gains factor, with any replaced gains (W) expressed against the fitted profile."""
    if np.isnan(watts).all():
        return factor
    n = len(factor)
    ends = np.array(
        [
            np.datetime64(int((start + timedelta(seconds=(k + 1) * step_s)).timestamp()), "s")
            for k in range(n)
        ]
    )
    profile = model.gains.values(ends, step_s=step_s)
    replaced = np.where(np.abs(profile) > 1e-9, watts / np.where(profile == 0, 1, profile), 0.0)
    return np.where(np.isnan(watts), factor, replaced)


def _network(overlay: Overlay, zones: Mapping[str, ZonePoints]) -> SupplyNetwork:
    nodes = [n for n, info in overlay.nodes.items() if info.kind != "Point"]
    return SupplyNetwork.from_edges(overlay.supply_edges(), nodes=[*nodes, *zones])


async def scope_zone_points(
    driver: neo4j.AsyncDriver, *, scope: str, database: str
) -> dict[str, ZonePoints]:
    """The points of every zone a run in `scope` simulates, as the run finds them (a decision
    reads the history of their air temperature points)."""
    overlay = await read_overlay(driver, scope=scope, database=database)
    return zone_points(_node_infos(overlay), overlay.edges)


def _node_infos(overlay: Overlay) -> dict[str, NodeInfo]:
    return {
        i: NodeInfo(n.kind or "", n.brick_class, n.name or i, dict(n.properties))
        for i, n in overlay.nodes.items()
    }


def _check_named(named: Sequence[tuple[str, str]], overlay: Overlay) -> None:
    for field, twin_id in named:
        if twin_id not in overlay.nodes:
            raise SimulationInputError(
                f"no live twin entity {twin_id!r} in the building in scope ({overlay.scope})",
                field=field,
                entity=twin_id,
            )


def _affected(named: Sequence[tuple[str, str]], outcomes: Sequence[Outcome]) -> tuple[str, ...]:
    found = {twin_id for field, twin_id in named if field != "scope"}
    for o in outcomes:
        found |= set(o.impact.removed) | set(o.impact.lost) | set(o.impact.partly)
        found |= set(o.zones_affected)
    return tuple(sorted(found))
