"""Early warnings from one model across buildings, against the per-point day-type profile.

The per-point profile model (graphtwin.prediction) learns each zone from its own past only. This
module tries the other way round: one gradient-boosted model (scikit-learn's
HistGradientBoostingRegressor with the quantile loss, or HistGradientBoostingClassifier) trained
on the recorded runs of the *other* buildings and climates (held out by building and climate:
the evaluated building and the evaluated climate never enter its training), with what a
forecaster knows at the origin:

- the zone's last value and its changes over 15 min, 1 h and a day;
- the time of day and the day type of the target, and the lead;
- the zone's heating and cooling setpoints now and at the target *as the schedule ran a week
  before* (the twin's setpoint schedule; a setpoint fault of today is not seen ahead);
- the outdoor air temperature now and at the target: the weather file a virtual building runs on
  is known ahead, as a weather forecast would be in a real one (an optimistic input: a real
  forecast errs by about 1 K a day ahead);
- the status of the zone's air loop's supply fan now (from the EnergyPlus air loop splitters),
  and at the target a week before;
- optionally (`combined`) the profile model's own forecast at the lead and its 90% width.

Two targets are tried:

- **quantile**: the change of the zone temperature at each lead of the 2-hour horizon (the
  leads pooled into one model, the lead a feature), at the 5, 50 and 95% quantiles; the median
  and the 90% interval go through the same crossing probability as the profile model's forecast
  (`graphtwin.prediction.crossing`), so only the forecast changes;
- **classifier**: the probability that a crossing of the rule follows within the horizon (the
  benchmark's own definition of a crossing), learned directly.

Every variant is scored by benchmarks/forecast_warnings.py on the same crossings, with the
threshold chosen on the tuning runs (the medium office in Denver) only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from benchmarks.forecast_data import Run
from benchmarks.forecast_warnings import (
    COMFORT,
    HORIZON_STEPS,
    P_GRID,
    UNOCCUPIED,
    RunWarnings,
    choose_threshold,
    curve,
    run_warnings,
    summarise,
)
from benchmarks.harness import note
from graphtwin.prediction.crossing import step_probabilities
from graphtwin.prediction.forecast import Forecast
from graphtwin.prediction.kinds import PointKind

WEEK = 7 * 96
DAY = 96
LEVELS = (0.05, 0.5, 0.95)
TRAIN_ROWS = 200_000
KINDS = {
    PointKind.ZONE_TEMPERATURE,
    PointKind.SETPOINT,
    PointKind.OUTDOOR_TEMPERATURE,
    PointKind.STATUS,
}
SEED = 19


@dataclass(slots=True)
class RunFrame:
    """One run's zone temperatures and their inputs on the zones' 15-minute grid."""

    name: str
    building: str
    climate: str
    warnings: RunWarnings
    values: np.ndarray  # (points, size)
    heating: np.ndarray  # (points, size)
    cooling: np.ndarray  # (points, size)
    fan: np.ndarray  # (points, size)
    outdoor: np.ndarray  # (size,)
    hour: np.ndarray  # (size,) local hour of the step's start, fractional
    day_type: np.ndarray  # (size,) 0 working day, 1 Saturday, 2 Sunday
    active: np.ndarray  # (size,) the rule holds
    lo: int  # first origin (grid index)

    @property
    def origins(self) -> int:
        return self.warnings.probability.shape[1]


def _on_grid(run: Run, twin_id: str, start: Any, size: int) -> np.ndarray:
    out = np.full(size, np.nan)
    series = run.series.get(twin_id)
    if series is None:
        return out
    offset = int((series.start - start) / series.step)
    src = series.values
    lo, hi = max(offset, 0), min(offset + src.size, size)
    if hi > lo:
        out[lo:hi] = src[lo - offset : hi - offset]
    return out


def _fans(folder: Path, zone_ids: list[str], prefix: str) -> dict[str, str]:
    """Each zone's supply fan status point, from the air loops' zone splitters."""
    epjson = json.loads((folder / "energyplus" / "run.epJSON").read_text())
    found: dict[str, str] = {}
    for name, splitter in epjson.get("AirLoopHVAC:ZoneSplitter", {}).items():
        loop = name.removesuffix(" Supply Air Splitter")
        outlets = [n["outlet_node_name"] for n in splitter.get("nodes", [])]
        for zone_id in zone_ids:
            zone = zone_id.rsplit("/zone/", 1)[1].split("/")[0]
            if any(o.lower().startswith(zone.lower() + " ") for o in outlets):
                found[zone_id] = f"{prefix}/fan/{loop}_Fan/status"
    return found


def run_frame(run: Run, folder: Path) -> RunFrame:
    """The profile model's warnings for `run` and the global model's inputs."""
    warnings = run_warnings(run)
    ids = [
        i
        for i, kind in run.kinds.items()
        if kind is PointKind.ZONE_TEMPERATURE and not UNOCCUPIED.search(i)
    ]
    first = run.series[ids[0]]
    size = int((run.end - first.start) / first.step) + 1
    size = min(size, first.values.size)
    lo = int((run.history_end - first.start) / first.step)
    prefix = ids[0].split("/zone/")[0]
    fans = _fans(folder, ids, prefix)
    values = np.stack([_on_grid(run, i, first.start, size) for i in ids])
    zone = [i.removesuffix("/air-temperature") for i in ids]
    heating = np.stack([_on_grid(run, z + "/heating-setpoint", first.start, size) for z in zone])
    cooling = np.stack([_on_grid(run, z + "/cooling-setpoint", first.start, size) for z in zone])
    fan = np.stack([_on_grid(run, fans.get(i, ""), first.start, size) for i in ids])
    outdoor_id = next(i for i, k in run.kinds.items() if k is PointKind.OUTDOOR_TEMPERATURE)
    outdoor = _on_grid(run, outdoor_id, first.start, size)
    times = first.times[:size]
    local = pd.DatetimeIndex(times + np.timedelta64(int(run.utc_offset.total_seconds()), "s"))
    local = local - pd.Timedelta(seconds=1)
    hour = np.asarray(local.hour + local.minute / 60.0, dtype=np.float64)
    dow = np.asarray(local.dayofweek)
    day_type = np.where(dow < 5, 0, np.where(dow == 5, 1, 2))
    active = (dow < 5) & (local.hour >= 7) & (local.hour < 19)
    return RunFrame(
        run.name, run.building, run.climate, warnings, values, heating, cooling, fan, outdoor,
        hour, day_type, np.asarray(active), lo,
    )  # fmt: skip


def _at(array: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`array[..., index]` with NaN where the index falls outside."""
    size = array.shape[-1]
    ok = (index >= 0) & (index < size)
    out = array[..., np.clip(index, 0, size - 1)]
    return np.where(ok, out, np.nan)


FEATURES = (
    "lead", "value", "change_15m", "change_1h", "change_1d", "hour", "day_type", "heating_now",
    "cooling_now", "heating_at", "cooling_at", "below_heating_at", "above_cooling_at",
    "outdoor_now", "outdoor_at", "outdoor_change", "fan_now", "fan_at",
)  # fmt: skip
COMBINED = ("profile_change", "profile_width")


def lead_features(frame: RunFrame, combined: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows (point, origin, lead) flattened: features (N, F) and the change at the lead (N,)."""
    p = frame.values.shape[0]
    o = frame.lo + np.arange(frame.origins)
    h = np.arange(1, HORIZON_STEPS + 1)
    t = o[:, None] + h[None, :]  # (O, L)
    v = frame.values
    y0 = v[:, o][:, :, None]  # (P, O, 1)
    shape = (p, o.size, h.size)

    def per_origin(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x[:, :, None], shape)

    def per_target(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, shape)

    heating_at = _at(frame.heating, t - WEEK)  # (P, O, L)
    cooling_at = _at(frame.cooling, t - WEEK)
    outdoor_at = per_target(_at(frame.outdoor, t)[None])
    columns = [
        per_target(h[None, None, :].astype(float)),
        np.broadcast_to(y0, shape),
        per_origin(y0[..., 0] - _at(v, o - 1)),
        per_origin(y0[..., 0] - _at(v, o - 4)),
        per_origin(y0[..., 0] - _at(v, o - DAY)),
        per_target(_at(frame.hour, t)[None]),
        per_target(_at(frame.day_type.astype(float), t)[None]),
        per_origin(frame.heating[:, o]),
        per_origin(frame.cooling[:, o]),
        heating_at,
        cooling_at,
        heating_at - y0,
        y0 - cooling_at,
        per_target(np.broadcast_to(frame.outdoor[o][None, :, None], (1, o.size, 1))),
        outdoor_at,
        outdoor_at - frame.outdoor[o][None, :, None],
        per_origin(frame.fan[:, o]),
        _at(frame.fan, t - WEEK),
    ]
    if combined:
        kept = frame.warnings.forecast
        assert kept is not None
        columns += [kept[..., 0] - y0, kept[..., 2] - kept[..., 1]]
    x = np.stack([np.asarray(c, dtype=np.float32) for c in columns], axis=-1)
    y = _at(v, t) - y0
    return x.reshape(-1, x.shape[-1]), y.reshape(-1)


def origin_features(frame: RunFrame, combined: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows (point, origin): the lead-2 h features summarised and whether a crossing follows
    within the horizon (the benchmark's crossing: the rule holds, the value is outside, and at
    the step before it was not a breach)."""
    x, _ = lead_features(frame, combined)
    p = frame.values.shape[0]
    x = x.reshape(p, frame.origins, HORIZON_STEPS, -1)
    # the origin's own features, and the targets' at 1 h and 2 h
    keep = np.concatenate((x[:, :, 0, 1:], x[:, :, 3, 5:], x[:, :, 7, 5:]), axis=-1)
    o = frame.lo + np.arange(frame.origins)
    t = o[:, None] + np.arange(1, HORIZON_STEPS + 1)[None, :]
    on = _at(frame.active.astype(float), t)  # (O, L)
    extra = [np.broadcast_to(np.nansum(on, 1)[None, :], (p, o.size))]
    if combined:
        extra.append(frame.warnings.probability)
    keep = np.concatenate((keep, np.stack(extra, -1).astype(np.float32)), axis=-1)
    v = frame.values
    outside = (v < COMFORT.low) | (v > COMFORT.high)
    breach = outside & frame.active[None, :]
    before = np.concatenate((np.zeros((p, 1), bool), breach[:, :-1]), axis=1)
    cross = (breach & ~before).astype(float)
    label = np.nan_to_num(_at(cross, t)).max(axis=2) > 0  # (P, O)
    return keep.reshape(p * o.size, -1), label.reshape(-1)


def _sample(x: np.ndarray, y: np.ndarray, rows: int, rng: np.random.Generator) -> tuple:
    ok = np.isfinite(y) if y.dtype.kind == "f" else np.ones(y.size, bool)
    index = np.flatnonzero(ok)
    if index.size > rows:
        index = rng.choice(index, rows, replace=False)
    return x[index], y[index]


def _training(frames: list[RunFrame], target: RunFrame) -> list[RunFrame]:
    return [f for f in frames if f.building != target.building and f.climate != target.climate]


class LeadModel:
    """The change at each lead: a squared-error gradient-boosted model of its mean, and the 5
    and 95% quantiles of its errors per lead on a fifth of the training rows kept apart (split
    conformal; scikit-learn's quantile loss took ~50 s a model here, 18 models a run)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> None:
        calibrate = rng.random(y.size) < 0.2
        self.model = HistGradientBoostingRegressor(
            max_iter=200, learning_rate=0.1, random_state=SEED
        ).fit(x[~calibrate], y[~calibrate])
        errors = y[calibrate] - self.model.predict(x[calibrate])
        lead = x[calibrate, 0].astype(int)
        self.quantiles = np.array(
            [np.quantile(errors[lead == h], (LEVELS[0], LEVELS[2])) for h in range(1, 9)]
        )

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mid = self.model.predict(x)
        q = self.quantiles[x[:, 0].astype(int) - 1]
        return mid + q[:, 0], mid, mid + q[:, 1]


Features = Callable[[RunFrame, bool], tuple[np.ndarray, np.ndarray]]


def _held_out_models(
    frames: list[RunFrame],
    evaluated: list[RunFrame],
    features: Features,
    combined: bool,
    train: Callable[[np.ndarray, np.ndarray, np.random.Generator], Any],
) -> dict[str, Any]:
    """Per evaluated run, a model trained by `train` on up to `TRAIN_ROWS` rows of the runs of
    the other buildings and the other climates (one model per building and climate)."""
    rng = np.random.default_rng(SEED)
    models: dict[tuple[str, str], Any] = {}
    out = {}
    for frame in evaluated:
        key = (frame.building, frame.climate)
        if key not in models:
            parts = [features(f, combined) for f in _training(frames, frame)]
            x = np.concatenate([a for a, _ in parts])
            y = np.concatenate([b for _, b in parts])
            models[key] = train(*_sample(x, y, TRAIN_ROWS, rng), rng)
        out[frame.name] = models[key]
    return out


def quantile_probability(
    frames: list[RunFrame], evaluated: list[RunFrame], combined: bool
) -> dict[str, np.ndarray]:
    """Per evaluated run, the crossing probability from the global lead model trained on the
    runs of the other buildings and climates."""
    models = _held_out_models(frames, evaluated, lead_features, combined, LeadModel)
    out: dict[str, np.ndarray] = {}
    for frame in evaluated:
        x, _ = lead_features(frame, combined)
        shape = (frame.values.shape[0], frame.origins, HORIZON_STEPS)
        y0 = frame.values[:, frame.lo : frame.lo + frame.origins][:, :, None]
        lo90, mid, hi90 = (part.reshape(shape) + y0 for part in models[frame.name].predict(x))
        o = frame.lo + np.arange(frame.origins)
        t = o[:, None] + np.arange(1, HORIZON_STEPS + 1)[None, :]
        on = np.broadcast_to(_at(frame.active.astype(float), t) > 0, shape)
        forecast = Forecast("", None, np.empty(0), mid, lo90, hi90, lo90, hi90, lo90, hi90)
        low, high = step_probabilities(forecast, COMFORT, active=on)
        out[frame.name] = np.maximum(low, high).max(axis=2)
    return out


def _classifier(x: np.ndarray, y: np.ndarray, _: np.random.Generator) -> Any:
    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, random_state=SEED).fit(
        x, y
    )


def classifier_probability(
    frames: list[RunFrame], evaluated: list[RunFrame], combined: bool
) -> dict[str, np.ndarray]:
    """Per evaluated run, the probability of a crossing within the horizon from the global
    classifier trained on the runs of the other buildings and climates."""
    models = _held_out_models(frames, evaluated, origin_features, combined, _classifier)
    out: dict[str, np.ndarray] = {}
    for frame in evaluated:
        x, _ = origin_features(frame, combined)
        prob = models[frame.name].predict_proba(x)[:, 1]
        out[frame.name] = prob.reshape(frame.values.shape[0], frame.origins)
    return out


def with_probability(frame: RunFrame, probability: np.ndarray) -> RunWarnings:
    """The profile model's warnings of `frame` with another probability."""
    w = frame.warnings
    return RunWarnings(
        w.name, probability, w.outside_now, w.crossings, w.during_fault, w.fault_spans,
        w.morning,
    )  # fmt: skip


VARIANTS = {
    "global lead model": (quantile_probability, False),
    "global lead model + profile": (quantile_probability, True),
    "global classifier": (classifier_probability, False),
    "global classifier + profile": (classifier_probability, True),
}
EXTRA_GRID = (0.97, 0.98, 0.99)
"""Thresholds above the benchmark's grid: every variant's false share falls with p*."""


def compare(frames: list[RunFrame], tuning: Any) -> dict[str, Any]:
    """The profile model and every global variant on the fault runs of `frames`, p* chosen on
    the runs `tuning(name)` is true for from `P_GRID + EXTRA_GRID`."""
    grid = P_GRID + EXTRA_GRID
    faults = [f for f in frames if f.name.endswith("-faults")]
    found: dict[str, Any] = {}
    candidates: dict[str, list[RunWarnings]] = {"profile (today)": [f.warnings for f in faults]}
    for label, (method, combined) in VARIANTS.items():
        note(f"forecast-global: {label}")
        probability = method(frames, faults, combined)
        candidates[label] = [with_probability(f, probability[f.name]) for f in faults]
        if method is quantile_probability and not combined:
            candidates["both must agree: min(profile, global lead model)"] = [
                with_probability(f, np.minimum(f.warnings.probability, probability[f.name]))
                for f in faults
            ]
    for label, runs in candidates.items():
        tuned = [r for r in runs if tuning(r.name)]
        held = [r for r in runs if not tuning(r.name)]
        threshold = choose_threshold(tuned, grid)
        found[label] = {
            "threshold": threshold,
            "tuning": summarise(tuned, threshold),
            "held_out": summarise(held, threshold),
            "curve": {"tuning": curve(tuned, grid), "held_out": curve(held, grid)},
        }
    return found


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.forecast_global [--json PATH]`: every run of the recorded data set
    (`graphtwin virtual-building datasets`), the profile model and the global variants."""
    import argparse

    from benchmarks.forecast_data import default_datasets_dir, load_run, unrecorded

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    root = args.datasets or default_datasets_dir()
    if (why := unrecorded(root)) is not None:
        raise SystemExit(why)
    frames = []
    for folder in sorted(d for d in root.iterdir() if (d / "complete.json").is_file()):
        note(f"forecast-global: {folder.name}")
        frames.append(run_frame(load_run(folder, only=KINDS), folder))
    found = compare(frames, lambda name: name.startswith("office_medium-denver-"))
    for label, result in found.items():
        t, h = result["tuning"], result["held_out"]
        print(
            f"{label}: p* {result['threshold']}; tuning warned {t['warned_share']}, false "
            f"{t['false_share']} of {t['warnings']}; held out warned {h['warned_share']}, false "
            f"{h['false_share']} of {h['warnings']} (after a fault {h['false_after_fault']}, "
            f"morning {h['false_morning']}), median lead {h['median_lead_min']} min"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(found, indent=1, default=float))


if __name__ == "__main__":
    main()
