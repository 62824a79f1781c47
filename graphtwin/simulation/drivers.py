"""What one variant's interventions do to each zone, step by step (pure code).

The runner gives the zones' baseline (setpoints ahead, the supply network) and a variant's
interventions; `zone_drivers` says, for every zone and step, whether its HVAC is available,
how much of its capacity it keeps, how its gains change and which setpoints hold:

- `trip` / `out_of_service`: the supply network without the equipment (topology.impact, at
  every distinct set of outages in force, so two outages with different windows combine
  right). A zone that loses supply entirely has no HVAC over the outage; a zone that keeps
  some of its direct suppliers keeps that share of its capacity (a redundant feed).
- `remove_feed` / `add_feed`: the network changed for the whole horizon, the same way.
- `airflow`: the capacity of the zones the target supplies (itself, when a zone) times
  `factor`.
- `occupancy`: the gains of the zones under the target (itself, its CONTAINS / HAS_PART
  descendants) times `factor`, or replaced by `watts_per_m2` times the zone's floor area.
- `setpoint`: the zone's setpoint set to `value` or moved by `delta`; `schedule`: replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from graphtwin.simulation.errors import SimulationInputError
from graphtwin.simulation.interventions import (
    AddFeed,
    AirflowChange,
    Intervention,
    OccupancyChange,
    Outage,
    RemoveFeed,
    ScheduleChange,
    SetpointChange,
)
from graphtwin.simulation.result import Impact
from graphtwin.simulation.scenario_types import to_celsius
from graphtwin.simulation.timeofday import clock_values
from graphtwin.simulation.topology import SupplyNetwork, impact

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Baseline:
    """What holds without any intervention, per zone and step."""

    times: Sequence[datetime]
    """The start of each step (aware)."""
    step_s: float
    tz: tzinfo
    heating_sp: Mapping[str, FloatArray]
    cooling_sp: Mapping[str, FloatArray]
    floor_area_m2: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class ZoneDrivers:
    """One zone's inputs over the horizon under one variant."""

    available: NDArray[np.bool_]
    capacity_factor: FloatArray
    gains_factor: FloatArray
    gains_w: FloatArray
    """NaN where the fitted gains hold; a value where an occupancy change replaces them."""
    heating_sp: FloatArray
    cooling_sp: FloatArray


@dataclass(frozen=True, slots=True)
class VariantDrivers:
    zones: Mapping[str, ZoneDrivers]
    impact: Impact
    """Every outage of the variant together (what the comparison shows)."""


def zone_drivers(
    interventions: Sequence[Intervention],
    fields: Sequence[str],
    *,
    zones: Sequence[str],
    baseline: Baseline,
    network: SupplyNetwork,
    hierarchy: nx.DiGraph,
) -> VariantDrivers:
    """Each zone's drivers under `interventions` (`fields` names each one's scenario field,
    for errors). `hierarchy` holds CONTAINS / HAS_PART edges (whole to part)."""
    n = len(baseline.times)
    horizon_s = n * baseline.step_s
    offsets = np.arange(n) * baseline.step_s  # each step's start, from the run's start
    available = {z: np.ones(n, bool) for z in zones}
    capacity = {z: np.ones(n) for z in zones}
    gains_factor = {z: np.ones(n) for z in zones}
    gains_w = {z: np.full(n, np.nan) for z in zones}
    heating = {z: baseline.heating_sp[z].copy() for z in zones}
    cooling = {z: baseline.cooling_sp[z].copy() for z in zones}

    removed = [
        ((iv.from_, iv.to), f)
        for iv, f in zip(interventions, fields, strict=True)
        if isinstance(iv, RemoveFeed)
    ]
    added = [
        ((iv.from_, iv.to), f)
        for iv, f in zip(interventions, fields, strict=True)
        if isinstance(iv, AddFeed)
    ]
    outages = [
        (iv, f) for iv, f in zip(interventions, fields, strict=True) if isinstance(iv, Outage)
    ]
    whole = _impact(network, outages, removed, added)
    # Supply: one impact per distinct set of outages in force.
    active_sets: dict[tuple[int, ...], NDArray[np.bool_]] = {}
    in_force = np.zeros((len(outages), n), bool)
    for i, (iv, _) in enumerate(outages):
        at, until = iv.window_s(horizon_s)
        in_force[i] = (offsets >= at) & (offsets < until)
    for k in range(n):
        key = tuple(np.flatnonzero(in_force[:, k]).tolist())
        active_sets.setdefault(key, np.zeros(n, bool))[k] = True
    for key, steps in active_sets.items():
        chosen = [outages[i] for i in key]
        effect = whole if len(key) == len(outages) else _impact(network, chosen, removed, added)
        if not key and not removed and not added:
            continue
        lost = set(effect.lost) | set(effect.removed)
        for z in zones:
            if z in lost:
                available[z][steps] = False
            elif z in effect.partly:
                capacity[z][steps] *= _kept_share(network, z, effect)

    for iv, field in zip(interventions, fields, strict=True):
        if isinstance(iv, AirflowChange):
            at, until = iv.window_s(horizon_s)
            steps = (offsets >= at) & (offsets < until)
            for z in _supplied_zones(network, iv.target, zones, field):
                capacity[z][steps] *= iv.factor
        elif isinstance(iv, OccupancyChange):
            at, until = iv.window_s(horizon_s)
            steps = (offsets >= at) & (offsets < until)
            for z in _zones_under(hierarchy, iv.target, zones, field):
                if iv.factor is not None:
                    gains_factor[z][steps] *= iv.factor
                else:
                    area = baseline.floor_area_m2.get(z)
                    if not area:
                        raise SimulationInputError(
                            "watts_per_m2 needs the zone's floor area, which the twin does "
                            "not have; give a factor instead",
                            field=field,
                            entity=z,
                        )
                    gains_w[z][steps] = float(iv.watts_per_m2 or 0.0) * area
        elif isinstance(iv, SetpointChange):
            zone = _zone(iv.target, zones, field)
            at, until = iv.window_s(horizon_s)
            steps = (offsets >= at) & (offsets < until)
            series = cooling[zone] if iv.setpoint == "cooling" else heating[zone]
            if iv.value_c is not None:
                series[steps] = iv.value_c
            else:
                if np.isnan(series[steps]).any():
                    raise SimulationInputError(
                        f"a delta needs the zone's current {iv.setpoint} setpoint, and the "
                        "twin has no value for it; give an absolute value",
                        field=field,
                        entity=zone,
                    )
                series[steps] += iv.delta_k or 0.0
        elif isinstance(iv, ScheduleChange):
            zone = _zone(iv.target, zones, field)
            values = clock_values(
                to_celsius(iv.default, iv.unit),
                [(p.window(), to_celsius(p.value, iv.unit)) for p in iv.periods],
                baseline.times,
                baseline.tz,
            )
            (cooling if iv.setpoint == "cooling" else heating)[zone][:] = values
    for z in zones:
        _check_setpoints(z, heating[z], cooling[z], interventions, fields)
    return VariantDrivers(
        zones={
            z: ZoneDrivers(
                available=available[z],
                capacity_factor=capacity[z],
                gains_factor=gains_factor[z],
                gains_w=gains_w[z],
                heating_sp=heating[z],
                cooling_sp=cooling[z],
            )
            for z in zones
        },
        impact=whole,
    )


def _impact(
    network: SupplyNetwork,
    outages: Sequence[tuple[Outage, str]],
    removed: Sequence[tuple[tuple[str, str], str]],
    added: Sequence[tuple[tuple[str, str], str]],
) -> Impact:
    try:
        return impact(
            network,
            trip=[iv.target for iv, _ in outages],
            remove_feeds=[pair for pair, _ in removed],
            add_feeds=[pair for pair, _ in added],
        )
    except SimulationInputError as exc:
        raise _renamed(exc, outages, removed, added) from exc


def _renamed(
    exc: SimulationInputError,
    outages: Sequence[tuple[Outage, str]],
    removed: Sequence[tuple[tuple[str, str], str]],
    added: Sequence[tuple[tuple[str, str], str]],
) -> SimulationInputError:
    """The topology names its own argument (`trip[1]`); the user wrote a scenario field."""
    field = exc.field or ""
    for prefix, items in (("trip", outages), ("remove_feeds", removed), ("add_feeds", added)):
        if field.startswith(f"{prefix}["):
            index = int(field[len(prefix) + 1 : field.index("]")])
            scenario_field = items[index][1]
            renamed = SimulationInputError(exc.reason, field=scenario_field, entity=exc.entity)
            return renamed
    return exc


def _kept_share(network: SupplyNetwork, zone: str, effect: Impact) -> float:
    """The share of a partly affected zone's direct suppliers still supplying it."""
    gone = {network.unit_of[n] for n in (*effect.lost, *effect.removed) if n in network.unit_of}
    suppliers = list(network.graph.predecessors(network.unit_of[zone]))
    kept = [s for s in suppliers if s not in gone]
    return len(kept) / len(suppliers) if suppliers else 1.0


def _supplied_zones(
    network: SupplyNetwork, target: str, zones: Sequence[str], field: str
) -> list[str]:
    if target in zones:
        return [target]
    unit = network.unit(target, field=f"{field}.target")
    below = {m for u in nx.descendants(network.graph, unit) for m in network.members[u]}
    found = [z for z in zones if z in below]
    if not found:
        raise SimulationInputError(
            "supplies no zone the twin can simulate (no zone with an air temperature point "
            "downstream along FEEDS/SERVES)",
            field=f"{field}.target",
            entity=target,
        )
    return found


def _zones_under(hierarchy: nx.DiGraph, target: str, zones: Sequence[str], field: str) -> list[str]:
    if target in zones:
        return [target]
    below = nx.descendants(hierarchy, target) if target in hierarchy else set()
    found = [z for z in zones if z in below]
    if not found:
        raise SimulationInputError(
            "holds no zone the twin can simulate (no zone with an air temperature point "
            "below it along CONTAINS/HAS_PART)",
            field=f"{field}.target",
            entity=target,
        )
    return found


def _zone(target: str, zones: Iterable[str], field: str) -> str:
    if target not in set(zones):
        raise SimulationInputError(
            "not a zone the twin can simulate (a setpoint acts on a zone with an air "
            "temperature point)",
            field=f"{field}.target",
            entity=target,
        )
    return target


def _check_setpoints(
    zone: str,
    heating: FloatArray,
    cooling: FloatArray,
    interventions: Sequence[Intervention],
    fields: Sequence[str],
) -> None:
    crossed = np.flatnonzero(heating > cooling)
    if crossed.size == 0:
        return
    field = next(
        (
            f
            for iv, f in zip(interventions, fields, strict=True)
            if isinstance(iv, SetpointChange | ScheduleChange) and iv.target == zone
        ),
        None,
    )
    k = int(crossed[0])
    raise SimulationInputError(
        f"impossible setpoints: heating {heating[k]:g} degC above cooling {cooling[k]:g} degC "
        f"at step {k}",
        field=field,
        entity=zone,
    )
