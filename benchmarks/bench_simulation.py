"""Validation of the zone thermal models against EnergyPlus: `python -m benchmarks simulation`.

For every event of the recorded event runs (`benchmarks/simulation_events.py`):

- **AHU trip** (4 h): each zone of the building is calibrated on the 14 days before the event
  only (`calibrate`), then predicted over the 4 h from the trip at 5-minute steps
  (`predict`): the zones the trip takes supply from free-float (HVAC unavailable), the others
  stay controlled; outdoor temperature and the setpoint schedule are the recorded ones (what a
  weather forecast and the BMS schedule give the runner). The prediction is compared at each
  15-minute EnergyPlus timestep with the zone temperatures EnergyPlus recorded in the trip run.
- **Cooling setpoint +2 K** (3 h): the affected zones are predicted with the reference
  setpoints and with the raised ones, from the same state; the energy is the zones' HVAC heat
  (sensible, delivered to or removed from the zone air, |q| integrated over the 3 h, kWh
  thermal), in the model as predicted and in EnergyPlus as computed from its recorded
  airflows, supply and zone temperatures and reheat (the same formula, `zone_series`), in the
  setpoint run and in the clean reference run of the same window. The error is that of the
  change: |dE_model - dE_EnergyPlus| / |dE_EnergyPlus|.

Same-run baselines: persistence (the last observed temperature held) and the uncalibrated
default model (priors from geometry, `prior_model`). Comfort: EN 16798-1 category II office
range, 20-26 degC, during occupancy (weekdays 07:00-19:00 local); the time to the first
violation after the event start, interpolated between samples. EnergyPlus is deterministic,
so every number is the same from run to run except the timings.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.harness import note
from graphtwin.simulation.thermal import (
    FutureInputs,
    NodeInfo,
    ZoneModel,
    ZonePoints,
    ZoneSeries,
    calibrate,
    initial_state,
    predict,
    prior,
    prior_model,
    zone_points,
    zone_series,
)
from graphtwin.telemetry.history import HistoryStore

CALIBRATION_DAYS = 14
SERIES_STEP_S = 900.0
PREDICT_STEP_S = 300.0
COMFORT_LOW_C = 20.0
COMFORT_HIGH_C = 26.0
OCCUPIED_HOURS = (7, 19)
BAND_LEVEL = 0.9
TARGETS = {
    "median_rmse_k": 0.5,
    "p90_rmse_k": 1.0,
    "median_ttv_error_min": 15.0,
    "coverage": (0.80, 0.95),
    "energy_change_error": 0.15,
    "speedup": 100.0,
}


@dataclass(frozen=True)
class SimulationOptions:
    buildings: tuple[str, ...] = ("office_medium", "office_small")
    climates: tuple[str, ...] = ("chicago", "miami")
    seasons: tuple[str, ...] = ("summer", "winter")
    energyplus_repeats: int = 3
    """Runs behind each EnergyPlus scenario time (their median); 0 skips the speed ratio."""


@dataclass
class ZoneScore:
    """One zone in one trip event."""

    zone: str
    affected: bool
    calibrated: bool
    rmse: dict[str, float]
    """twin / prior / persistence, K."""
    inside: int
    samples: int
    ttv_min: dict[str, float | None]
    """Minutes to the first comfort violation: energyplus / twin / prior / persistence."""


@dataclass
class EventScore:
    run: str
    event: str
    kind: str
    start: str
    zones: list[ZoneScore] = field(default_factory=list)
    energy_kwh: dict[str, float] = field(default_factory=dict)
    calibration_s: float = 0.0
    model_s: float = 0.0
    energyplus_s: float | None = None


def run_simulation(
    options: SimulationOptions, progress: Callable[[str], None] = note
) -> dict[str, Any]:
    """Every event scored; the summary and the per-event scores, as JSON-able data."""
    from benchmarks.simulation_events import energyplus_scenario_seconds, ensure_event_runs

    runs = ensure_event_runs(
        buildings=options.buildings,
        climates=options.climates,
        seasons=options.seasons,
        progress=progress,
    )
    scores: list[EventScore] = []
    with threadpool_limits(limits=1, user_api="blas"):
        for run in runs:
            progress(f"{run.name}: {len(run.events)} events")
            building = _building(run.model_file)
            offset_h = float(json.loads((run.run_dir / "run.json").read_text())["time_zone_h"])
            history = HistoryStore(run.run_dir)
            reference = HistoryStore(run.reference_dir) if run.reference_dir else None
            for event in run.events:
                score = score_event(
                    building, history, reference, event, run_name=run.name, utc_offset_h=offset_h
                )
                if options.energyplus_repeats > 0:
                    score.energyplus_s = energyplus_scenario_seconds(
                        run, event, repeats=options.energyplus_repeats
                    )
                scores.append(score)
                progress(f"  {event.id} {event.kind} {event.start:%m-%d %H:%M}: {_line(score)}")
    return {"options": options.__dict__, "summary": summarise(scores), "events": _json(scores)}


def score_event(
    building: dict[str, ZonePoints],
    history: HistoryStore,
    reference: HistoryStore | None,
    event: Any,
    *,
    run_name: str,
    utc_offset_h: float,
) -> EventScore:
    """Calibrate on the 14 days before the event, predict, compare (see the module doc)."""
    start: datetime = event.start
    end: datetime = event.end
    cal_start = start - timedelta(days=CALIBRATION_DAYS)
    ids = sorted({i for zp in building.values() for i in zp.point_ids()})
    frame = history.query(ids, cal_start - timedelta(hours=1), end + timedelta(hours=1))
    score = EventScore(run_name, event.id, event.kind, start.isoformat())
    models: dict[str, tuple[ZoneModel, ZoneModel, ZoneSeries]] = {}
    zones = building if event.kind == "trip" else {z: building[z] for z in event.affected_zones}
    t0 = datetime.now(UTC)
    for zone_id, zp in zones.items():
        recent = zone_series(frame, zp, cal_start, start, SERIES_STEP_S)
        zone_prior = prior(zp.floor_area_m2 or 100.0, zp.volume_m3, utc_offset_h=utc_offset_h)
        twin = calibrate(recent, prior=zone_prior, now=start, minimum_flow=zp.variable_air_volume)
        models[zone_id] = (twin, prior_model(zone_id, zone_prior, fitted_at=start), recent)
    score.calibration_s = (datetime.now(UTC) - t0).total_seconds()
    if event.kind == "trip":
        _score_trip(score, building, frame, models, event, utc_offset_h)
    else:
        assert reference is not None, "a setpoint event needs its clean reference run"
        ref_frame = reference.query(ids, start - timedelta(hours=1), end + timedelta(hours=1))
        _score_setpoint(score, building, frame, ref_frame, models, event)
    return score


def _score_trip(
    score: EventScore,
    building: dict[str, ZonePoints],
    frame: Any,
    models: dict[str, tuple[ZoneModel, ZoneModel, ZoneSeries]],
    event: Any,
    utc_offset_h: float,
) -> None:
    start, end = event.start, event.end
    affected = set(event.affected_zones)
    model_s = 0.0
    for zone_id, (twin, default, recent) in models.items():
        zp = building[zone_id]
        truth = zone_series(frame, zp, start, end, SERIES_STEP_S)
        available = bool(zp.supplies) and zone_id not in affected
        future = _future(truth, recent, available=available)
        t_begin = datetime.now(UTC)
        state = initial_state(twin, recent)
        twin_p = predict(twin, recent, future, band_level=BAND_LEVEL, initial=state)
        model_s += (datetime.now(UTC) - t_begin).total_seconds()
        prior_p = predict(default, recent, future, band_level=BAND_LEVEL)
        at = np.isin(twin_p.times, truth.times)
        observed = truth.t_zone
        known = ~np.isnan(observed)
        last = recent.t_zone[~np.isnan(recent.t_zone)][-1]
        persistence = np.full(observed.shape[0], last)
        predicted = {
            "twin": twin_p.t_air[at],
            "prior": prior_p.t_air[at],
            "persistence": persistence,
        }
        lower, upper = twin_p.lower[at], twin_p.upper[at]
        inside = int(((observed >= lower) & (observed <= upper))[known].sum())
        rmse = {k: _rmse(v[known] - observed[known]) for k, v in predicted.items()}
        stamps = truth.times
        ttv = {"energyplus": _first_violation(stamps, observed, start, utc_offset_h)}
        ttv["twin"] = _first_violation(twin_p.times, twin_p.t_air, start, utc_offset_h)
        ttv["prior"] = _first_violation(prior_p.times, prior_p.t_air, start, utc_offset_h)
        ttv["persistence"] = _first_violation(stamps, persistence, start, utc_offset_h)
        score.zones.append(
            ZoneScore(
                zone_id,
                zone_id in affected,
                twin.calibrated,
                rmse,
                inside,
                int(known.sum()),
                ttv,
            )
        )
    score.model_s = model_s


def _score_setpoint(
    score: EventScore,
    building: dict[str, ZonePoints],
    frame: Any,
    ref_frame: Any,
    models: dict[str, tuple[ZoneModel, ZoneModel, ZoneSeries]],
    event: Any,
) -> None:
    start, end = event.start, event.end
    totals = dict.fromkeys(
        ("energyplus_action", "energyplus_reference", "twin_action", "twin_reference"), 0.0
    )
    totals |= {"prior_action": 0.0, "prior_reference": 0.0}
    model_s = 0.0
    for zone_id, (twin, default, recent) in models.items():
        zp = building[zone_id]
        acted = zone_series(frame, zp, start, end, SERIES_STEP_S)
        ref = zone_series(ref_frame, zp, start, end, SERIES_STEP_S)
        totals["energyplus_action"] += _kwh(acted.q_hvac, SERIES_STEP_S)
        totals["energyplus_reference"] += _kwh(ref.q_hvac, SERIES_STEP_S)
        t_begin = datetime.now(UTC)
        state = initial_state(twin, recent)
        for name, model in (("twin", twin), ("prior", default)):
            for variant, series in (("action", acted), ("reference", ref)):
                future = _future(series, recent, available=True)
                p = predict(model, recent, future, initial=state if model is twin else None)
                totals[f"{name}_{variant}"] += _kwh(p.q_hvac, PREDICT_STEP_S)
        model_s += (datetime.now(UTC) - t_begin).total_seconds()
    score.energy_kwh = totals
    score.model_s = model_s


def _future(truth: ZoneSeries, recent: ZoneSeries, *, available: bool) -> FutureInputs:
    """The recorded outdoor temperature and setpoints on the 5-minute grid."""
    n = round(len(truth) * truth.step_s / PREDICT_STEP_S)
    start = truth.start
    ends = _epoch(truth.times)
    t = _epoch(truth.times[:1]) - truth.step_s + (np.arange(n) + 1.0) * PREDICT_STEP_S
    known_t = np.r_[_epoch(recent.times[-1:]), ends]
    t_out = np.interp(t, known_t, np.r_[recent.t_out[-1], truth.t_out])
    # setpoints are schedules: the value of the 15-minute step a 5-minute step falls in
    index = np.clip(np.searchsorted(ends, t, side="left"), 0, len(truth) - 1)
    return FutureInputs.create(
        start=start,
        step_s=PREDICT_STEP_S,
        t_out=t_out,
        hvac_available=available,
        heating_sp=truth.heating_sp[index],
        cooling_sp=truth.cooling_sp[index],
    )


def _first_violation(
    times: np.ndarray, values: np.ndarray, start: datetime, utc_offset_h: float
) -> float | None:
    """Minutes from `start` to the first occupied-hours value outside 20-26 degC, the
    crossing interpolated from the value before; None: no violation within the series."""
    t = _epoch(times)
    local_h = ((t + utc_offset_h * 3600.0) % 86400.0) / 3600.0
    weekday = ((np.floor((t + utc_offset_h * 3600.0) / 86400.0) + 3) % 7) < 5
    occupied = weekday & (local_h >= OCCUPIED_HOURS[0]) & (local_h < OCCUPIED_HOURS[1])
    outside = occupied & ((values < COMFORT_LOW_C) | (values > COMFORT_HIGH_C))
    hits = np.flatnonzero(outside)
    if hits.size == 0:
        return None
    k = int(hits[0])
    t_start = start.timestamp()
    if k == 0:
        return (t[0] - t_start) / 60.0
    bound = COMFORT_HIGH_C if values[k] > COMFORT_HIGH_C else COMFORT_LOW_C
    v0, v1 = values[k - 1], values[k]
    frac = (bound - v0) / (v1 - v0) if v1 != v0 else 1.0
    frac = min(max(frac, 0.0), 1.0)
    return (t[k - 1] + frac * (t[k] - t[k - 1]) - t_start) / 60.0


def summarise(scores: list[EventScore]) -> dict[str, Any]:
    """The figures the report gives, with their spread."""
    trips = [s for s in scores if s.kind == "trip"]
    zones = [z for s in trips for z in s.zones]
    out: dict[str, Any] = {"trip_events": len(trips), "zone_predictions": len(zones)}
    for group, chosen in (("affected", [z for z in zones if z.affected]), ("all", zones)):
        block: dict[str, Any] = {"zones": len(chosen)}
        for name in ("twin", "prior", "persistence"):
            block[f"rmse_{name}"] = _spread([z.rmse[name] for z in chosen])
        inside = sum(z.inside for z in chosen)
        samples = sum(z.samples for z in chosen)
        block["coverage"] = inside / samples if samples else None
        for name in ("twin", "prior", "persistence"):
            block[f"ttv_{name}"] = _ttv(chosen, name, horizon_min=240.0)
        out[group] = block
    coverage_by_event = []
    for s in trips:
        samples = sum(z.samples for z in s.zones if z.affected)
        if samples:
            coverage_by_event.append(sum(z.inside for z in s.zones if z.affected) / samples)
    out["affected"]["coverage_by_event"] = _spread(coverage_by_event)
    setpoints = [s for s in scores if s.kind != "trip"]
    errors: dict[str, list[float]] = {"twin": [], "prior": []}
    changes = []
    for s in setpoints:
        e = s.energy_kwh
        d_eplus = e["energyplus_action"] - e["energyplus_reference"]
        row = {"event": f"{s.run} {s.event}", "energyplus_change_kwh": d_eplus}
        for name in errors:
            d_model = e[f"{name}_action"] - e[f"{name}_reference"]
            err = abs(d_model - d_eplus) / abs(d_eplus) if d_eplus else float("nan")
            errors[name].append(err)
            row[f"{name}_change_kwh"] = d_model
            row[f"{name}_error"] = err
        changes.append(row)
    out["setpoint_events"] = len(setpoints)
    out["energy_change"] = {
        "events": changes,
        "twin_error": _spread(errors["twin"]),
        "prior_error": _spread(errors["prior"]),
    }
    speed = [s.energyplus_s / s.model_s for s in scores if s.energyplus_s and s.model_s > 0]
    out["speedup"] = _spread(speed)
    out["model_s"] = _spread([s.model_s for s in scores])
    out["calibration_s"] = _spread([s.calibration_s for s in scores])
    out["energyplus_s"] = _spread([s.energyplus_s for s in scores if s.energyplus_s])
    return out


def _ttv(zones: list[ZoneScore], name: str, *, horizon_min: float) -> dict[str, Any]:
    """Time-to-violation error over the zone-events where EnergyPlus or the model violates;
    one that does not is taken to violate at the horizon's end (a censored time), so missing a
    violation costs what is left of the horizon. Zone-events where neither violates are
    counted apart (`both_none`): they agree, with no time to compare."""
    errors, both_none, agree_some = [], 0, 0
    for z in zones:
        truth, model = z.ttv_min["energyplus"], z.ttv_min[name]
        if truth is None and model is None:
            both_none += 1
            continue
        if truth is not None and model is not None:
            agree_some += 1
        a = truth if truth is not None else horizon_min
        b = model if model is not None else horizon_min
        errors.append(abs(a - b))
    return {"errors_min": _spread(errors), "both_violate": agree_some, "both_none": both_none}


def _spread(values: list[float]) -> dict[str, Any]:
    v = [x for x in values if x is not None and not np.isnan(x)]
    if not v:
        return {"n": 0}
    return {
        "n": len(v),
        "median": float(statistics.median(v)),
        "p90": float(np.quantile(v, 0.9)),
        "mean": float(np.mean(v)),
        "std": float(np.std(v)),
        "min": float(min(v)),
        "max": float(max(v)),
    }


def _building(model_file: Path) -> dict[str, ZonePoints]:
    from importers.energyplus import EnergyPlusImporter

    graph = EnergyPlusImporter().parse(model_file)
    nodes = {
        k: NodeInfo(n.kind, n.properties.get("brick_class"), n.name, n.properties)
        for k, n in graph.nodes.items()
    }
    return zone_points(nodes, [r.key for r in graph.relationships.values()])


def _kwh(q: np.ndarray, step_s: float) -> float:
    return float(np.nansum(np.abs(q)) * step_s / 3.6e6)


def _rmse(errors: np.ndarray) -> float:
    return float(np.sqrt(np.mean(errors**2))) if errors.size else float("nan")


def _epoch(times: np.ndarray) -> np.ndarray:
    return times.astype("datetime64[s]").astype(np.int64).astype(float)


def _line(score: EventScore) -> str:
    if score.kind == "trip":
        hit = [z for z in score.zones if z.affected]
        twin = statistics.median(z.rmse["twin"] for z in hit) if hit else float("nan")
        pers = statistics.median(z.rmse["persistence"] for z in hit) if hit else float("nan")
        cov = sum(z.inside for z in hit) / max(sum(z.samples for z in hit), 1)
        return f"affected RMSE twin {twin:.2f} K, persistence {pers:.2f} K, coverage {cov:.0%}"
    e = score.energy_kwh
    return (
        f"dE EnergyPlus {e['energyplus_action'] - e['energyplus_reference']:.1f} kWh, "
        f"twin {e['twin_action'] - e['twin_reference']:.1f} kWh"
    )


def _json(scores: list[EventScore]) -> list[dict[str, Any]]:
    out = []
    for s in scores:
        row = {k: v for k, v in s.__dict__.items() if k != "zones"}
        row["zones"] = [z.__dict__ for z in s.zones]
        out.append(row)
    return out


def report_simulation(results: dict[str, Any]) -> str:
    """The markdown section of docs/benchmarks.md."""
    s = results["summary"]

    def fmt(block: dict[str, Any], unit: str = "", digits: int = 2) -> str:
        if not block.get("n"):
            return "n/a"
        return (
            f"{block['median']:.{digits}f}{unit} (p90 {block['p90']:.{digits}f}, "
            f"mean {block['mean']:.{digits}f} +- {block['std']:.{digits}f}, n={block['n']})"
        )

    aff, every = s["affected"], s["all"]
    lines = [
        "## Simulation benchmark (`python -m benchmarks simulation`)",
        "",
        f"{s['trip_events']} AHU-trip events ({aff['zones']} zone predictions in zones losing "
        f"supply, {every['zones']} in all), {s['setpoint_events']} cooling-setpoint (+2 K, 3 h) "
        "events. EnergyPlus is deterministic: the same numbers come back on every run, except "
        "the timings.",
        "",
        "| figure | twin (calibrated) | default RC (priors) | persistence | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, block in (("zones losing supply", aff), ("all zones", every)):
        lines.append(
            f"| zone RMSE, K, {label} | {fmt(block['rmse_twin'])} | {fmt(block['rmse_prior'])} "
            f"| {fmt(block['rmse_persistence'])} | median <= 0.5, p90 <= 1.0 |"
        )
        ttv = [
            fmt(block[f"ttv_{k}"]["errors_min"], "", 0) for k in ("twin", "prior", "persistence")
        ]
        lines.append(
            f"| time-to-violation error, min, {label} | {ttv[0]} | {ttv[1]} | {ttv[2]} "
            "| median <= 15 |"
        )
        coverage = block["coverage"]
        lines.append(
            f"| 90 % band coverage, {label} | {coverage:.0%} | | | 80-95 % |"
            if coverage is not None
            else f"| 90 % band coverage, {label} | n/a | | | 80-95 % |"
        )
    energy = s["energy_change"]
    lines.append(
        f"| energy change error (setpoint +2 K) | {fmt(energy['twin_error'])} | "
        f"{fmt(energy['prior_error'])} | | <= 0.15 |"
    )
    lines.append(f"| speed-up vs EnergyPlus (x) | {fmt(s['speedup'], '', 0)} | | | >= 100 |")
    model_s, eplus_s = fmt(s["model_s"], " s", 3), fmt(s["energyplus_s"], " s", 2)
    cal_s = fmt(s["calibration_s"], " s", 1)
    lines += [
        "",
        f"Model time per scenario (all zones, warm-up and prediction): {model_s}; EnergyPlus "
        f"for the same event day: {eplus_s}; calibration of the building's zones before each "
        f"event (done ahead by `graphtwin calibrate`, not in the scenario time): {cal_s}.",
        "",
        "| setpoint event | EnergyPlus dE kWh | twin dE kWh | twin error | priors dE kWh |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in energy["events"]:
        lines.append(
            f"| {row['event']} | {row['energyplus_change_kwh']:.1f} | {row['twin_change_kwh']:.1f}"
            f" | {row['twin_error']:.0%} | {row['prior_change_kwh']:.1f} |"
        )
    return "\n".join(lines)
