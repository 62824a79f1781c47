"""Forecasts on the recorded virtual-building runs: `python -m benchmarks forecast [--quick]`.

Data: the standard data set (`graphtwin virtual-building datasets`, ~/.cache/graphtwin/datasets):
2 buildings x 3 climates x 2 seasons, each recorded clean and with faults, 14 days of history
then 28 days to evaluate on (benchmarks/forecast_data.py).

- **Accuracy** (clean runs): a rolling-origin backtest (`graphtwin.prediction.backtest`) over
  the 28 evaluation days, forecasts from every 15-minute origin, models refit daily on the
  values up to then; MASE against the seasonal naive forecast (the value one day earlier) at
  1 h and 24 h ahead, per point, and the coverage of the 80/90/95% intervals. Zone temperature
  and meters have targets (MASE <= 0.8 and <= 0.7; 90% coverage 85-95%); supply temperature is
  reported alongside.
- **Held out by building and climate**: every setting of the models (day types, profile decay
  and lookback, the calibration window, the correction's inputs, interval method) and the
  warning threshold were chosen on the medium office in Denver (`TUNING`, both seasons); the
  summaries are over the other 10 runs of each variant only. The tuning runs are listed apart.
- **Speed**: the 10,000 points of the generated building of the API benchmark
  (benchmarks/api_building.py: kinds from their Brick classes and units) with 14 days of
  synthetic 15-minute history each (a daily cycle, a working-week pattern, AR(1) noise; meters
  as running counters): fit every model and forecast 24 h, against the seasonal naive forecast
  of the same points (the last day's values repeated), median of `repeat` rounds.
- **Model choice** (tuning runs): statsforecast's models on the same points and origins,
  benchmarks/forecast_libraries.py.
- **Early warning** (fault runs): benchmarks/forecast_warnings.py.

EnergyPlus and the models are deterministic (no random seed enters the accuracy or warning
figures); the synthetic speed series use a fixed seed.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.api_building import BuildingShape, generate_building
from benchmarks.forecast_data import STEP, Run, default_datasets_dir, load_run, unrecorded
from benchmarks.forecast_libraries import KINDS as LIBRARY_KINDS
from benchmarks.forecast_libraries import compare
from benchmarks.forecast_warnings import (
    COMFORT,
    HORIZON_STEPS,
    OCCUPIED_HOURS,
    RunWarnings,
    choose_threshold,
    curve,
    run_warnings,
    summarise,
)
from benchmarks.harness import markdown_table, note
from graphtwin.prediction.backtest import COVERAGES, BacktestReport, backtest
from graphtwin.prediction.forecast import fit_many, predict_many
from graphtwin.prediction.kinds import PointKind, point_kind
from graphtwin.prediction.series import prepare

TUNING = ("office_medium-denver-summer", "office_medium-denver-winter")
TARGETS = {PointKind.ZONE_TEMPERATURE: 0.8, PointKind.METER: 0.7}
SCORED = (PointKind.ZONE_TEMPERATURE, PointKind.METER, PointKind.SUPPLY_TEMPERATURE)
LEADS = (timedelta(hours=1), timedelta(hours=24))
COVERAGE = (0.85, 0.95)


@dataclass(frozen=True, slots=True)
class ForecastOptions:
    datasets: Path | None = None
    """The recorded data set (None: `default_datasets_dir()`)."""
    quick: bool = False
    """Two runs of each variant (one tuning, one held out), 7 evaluation days, 1,000 points."""
    repeat: int = 3


def run_forecast(options: ForecastOptions) -> dict[str, Any]:
    """Every part of the benchmark; the results as plain JSON-able values."""
    root = options.datasets or default_datasets_dir()
    options = ForecastOptions(root, options.quick, options.repeat)
    skipped = unrecorded(root)
    if skipped:
        return {"skipped": skipped}
    names = sorted(p.name for p in root.iterdir() if (p / "complete.json").is_file())
    if options.quick:
        names = [
            n
            for n in names
            if n.startswith(("office_medium-denver-summer", "office_small-miami-summer"))
        ]
    started = time.perf_counter()
    results: dict[str, Any] = {"options": {"quick": options.quick, "repeat": options.repeat}}
    results["accuracy"] = _accuracy([n for n in names if n.endswith("-clean")], options)
    results["libraries"] = _libraries([n for n in names if n.endswith("-clean")], options)
    results["speed"] = _speed(options)
    results["warnings"] = _warnings([n for n in names if n.endswith("-faults")], options)
    results["wall_s"] = round(time.perf_counter() - started, 1)
    return results


def _tuning(name: str) -> bool:
    return name.startswith(TUNING)


def _load(name: str, options: ForecastOptions, kinds: set[PointKind]) -> Run:
    assert options.datasets is not None  # run_forecast fills it in
    run = load_run(options.datasets / name, only=kinds)
    if options.quick:
        run.end = run.history_end + timedelta(days=7)
    return run


# --- accuracy ---------------------------------------------------------------------------------


def _accuracy(names: Sequence[str], options: ForecastOptions) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for name in names:
        note(f"forecast: backtest {name}")
        run = _load(name, options, set(SCORED))
        ids = list(run.series)
        started = time.perf_counter()
        report = backtest(
            [run.series[i] for i in ids], [run.kinds[i] for i in ids],
            start=run.history_end, end=run.end, leads=LEADS, utc_offset=run.utc_offset,
            entities=ids,
        )  # fmt: skip
        runs[name] = _run_scores(report) | {
            "tuning": _tuning(name),
            "backtest_s": round(time.perf_counter() - started, 2),
            "skipped": {ids[i]: why for i, why in report.skipped.items()},
        }
    held = [v for k, v in runs.items() if not _tuning(k)]
    overall = {}
    for kind in SCORED:
        for lead in LEADS:
            key = f"{kind}@{_lead(lead)}"
            per_point = [m for r in held for m in r["points"].get(key, [])]
            coverage = [r["coverage90"][key] for r in held if key in r["coverage90"]]
            overall[key] = {
                "points": len(per_point),
                "mase_median": _median(per_point),
                "mase_p25": _quantile(per_point, 0.25),
                "mase_p75": _quantile(per_point, 0.75),
                "run_medians": [r["mase_median"].get(key) for r in held],
                "coverage90_pooled_median": _median(coverage),
                "coverage90_min": min(coverage) if coverage else None,
                "coverage90_max": max(coverage) if coverage else None,
            }
    return {"runs": runs, "held_out": overall}


def _run_scores(report: BacktestReport) -> dict[str, Any]:
    points: dict[str, list[float]] = {}
    medians: dict[str, float | None] = {}
    coverage90: dict[str, float] = {}
    coverage: dict[str, dict[str, float]] = {}
    for kind in SCORED:
        for lead in LEADS:
            key = f"{kind}@{_lead(lead)}"
            scores = [s for s in report.scores if s.kind is kind and s.lead == lead]
            finite = [s.mase for s in scores if np.isfinite(s.mase)]
            if not scores:
                continue
            points[key] = [round(m, 4) for m in finite]
            medians[key] = _median(finite)
            # points whose seasonal naive forecast never errs (a gas meter of a building that
            # burns no gas) have no MASE and would only pad the coverage
            scored = [s for s in scores if np.isfinite(s.mase)]
            count = sum(s.count for s in scored)
            if count:
                share = {c: sum(s.inside[c] for s in scored) / count for c in COVERAGES}
                coverage90[key] = round(share[0.9], 4)
                coverage[key] = {str(c): round(v, 4) for c, v in share.items()}
    return {
        "points": points,
        "mase_median": medians,
        "coverage90": coverage90,
        "coverage": coverage,
    }


def _libraries(names: Sequence[str], options: ForecastOptions) -> dict[str, Any]:
    tuning = [n for n in names if _tuning(n)]
    note(f"forecast: statsforecast on the tuning runs {', '.join(tuning)}")
    runs = [_load(name, options, set(LIBRARY_KINDS)) for name in tuning]
    return compare(runs, quick=options.quick) if runs else {}


# --- speed ------------------------------------------------------------------------------------


def _speed(options: ForecastOptions) -> dict[str, Any]:
    shape = BuildingShape(points_per_equipment=1) if options.quick else BuildingShape()
    building = generate_building(shape)
    nodes = building.graph.nodes
    kinds = []
    for twin_id in building.point_ids:
        props = nodes[twin_id].properties
        kinds.append(point_kind(props.get("brick_class"), props.get("unit"), nodes[twin_id].name))
    note(f"forecast: speed on {len(kinds):,} generated points")
    rng = np.random.default_rng(19)
    days = 14
    steps = days * 96
    times = np.datetime64("2025-07-07T00:15") + np.arange(steps) * np.timedelta64(15, "m")
    raw = _synthetic(kinds, steps, rng)
    now = datetime(2025, 7, 21, tzinfo=UTC)
    horizon = timedelta(hours=24)
    model_s, naive_s, prepare_s = [], [], []
    failures = 0
    for _ in range(options.repeat):
        started = time.perf_counter()
        series = [prepare(times, row, step=STEP) for row in raw]
        prepare_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        models = fit_many(series, kinds=kinds, now=now)
        forecasts = predict_many(models, series, horizon=horizon, step=STEP)
        model_s.append(time.perf_counter() - started)
        failures = sum(1 for f in forecasts if isinstance(f, Exception))
        started = time.perf_counter()
        _seasonal_naive(series, kinds)
        naive_s.append(time.perf_counter() - started)
    model, naive = statistics.median(model_s), statistics.median(naive_s)
    return {
        "points": len(kinds),
        "history_days": days,
        "kinds": {str(k): kinds.count(k) for k in sorted(set(kinds))},
        "fit_and_forecast_s": round(model, 2),
        "rounds_s": [round(v, 2) for v in model_s],
        "seasonal_naive_s": round(naive, 4),
        "prepare_s": round(statistics.median(prepare_s), 2),
        "ratio": round(model / naive, 1) if naive > 0 else None,
        "forecast_failures": failures,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _synthetic(kinds: Sequence[PointKind], steps: int, rng: np.random.Generator) -> np.ndarray:
    """One row per point: a daily cycle, weekends lower, AR(1) noise; meters as counters."""
    slot = np.arange(steps) % 96
    weekday = (np.arange(steps) // 96) % 7 < 5
    occupied = weekday & (slot >= 28) & (slot < 76)
    base = np.sin(slot / 96 * 2 * np.pi)[None, :] + 1.5 * occupied[None, :]
    shocks = rng.normal(0.0, 0.15, (len(kinds), steps))
    noise = np.empty_like(shocks)
    noise[:, 0] = shocks[:, 0]
    for i in range(1, steps):
        noise[:, i] = 0.9 * noise[:, i - 1] + shocks[:, i]
    rows = 20.0 + base + noise
    meters = np.array([k is PointKind.METER for k in kinds])
    rows[meters] = np.cumsum(np.abs(rows[meters] - 18.0), axis=1)
    return rows


def _seasonal_naive(series: Sequence[Any], kinds: Sequence[PointKind]) -> list[np.ndarray]:
    """The baseline: each point's last day repeated (usage per step for meters)."""
    out = []
    for s, kind in zip(series, kinds, strict=True):
        values = np.diff(s.values) if kind is PointKind.METER else s.values
        out.append(values[-96:].copy())
    return out


# --- early warning ----------------------------------------------------------------------------


def _warnings(names: Sequence[str], options: ForecastOptions) -> dict[str, Any]:
    runs: list[RunWarnings] = []
    for name in names:
        note(f"forecast: early warnings {name}")
        runs.append(run_warnings(_load(name, options, {PointKind.ZONE_TEMPERATURE})))
    tuning = [r for r in runs if _tuning(r.name)]
    held = [r for r in runs if not _tuning(r.name)]
    threshold = choose_threshold(tuning) if tuning else 0.8
    return {
        "rule": f"zone air temperature {COMFORT.low:g}-{COMFORT.high:g} degC, working days "
        f"{OCCUPIED_HOURS[0]:02d}:00-{OCCUPIED_HOURS[1]:02d}:00 local",
        "horizon_min": HORIZON_STEPS * 15,
        "threshold": threshold,
        "tuning": summarise(tuning, threshold) if tuning else None,
        "held_out": summarise(held, threshold) if held else None,
        "curve": {"tuning": curve(tuning), "held_out": curve(held)},
    }


# --- report -----------------------------------------------------------------------------------


def report_forecast(results: dict[str, Any]) -> str:
    if "skipped" in results:
        return f"## Forecasts\n\nSkipped: {results['skipped']}"
    lines = ["## Forecasts", ""]
    accuracy = results["accuracy"]
    rows = []
    for name, run in accuracy["runs"].items():
        row: list[object] = [name + (" (tuning)" if run["tuning"] else "")]
        for kind in SCORED:
            for lead in LEADS:
                key = f"{kind}@{_lead(lead)}"
                row.append(_fmt(run["mase_median"].get(key)))
        for kind in SCORED:
            row.append(_fmt(run["coverage90"].get(f"{kind}@1h")))
        rows.append(row)
    headers = ["run"]
    headers += [f"{_short(k)} {_lead(lead)}" for k in SCORED for lead in LEADS]
    headers += [f"{_short(k)} cov90 1h" for k in SCORED]
    lines += ["MASE (median over the run's points) and 90% coverage, per run:", ""]
    lines += [markdown_table(headers, rows), ""]
    rows = []
    for key, v in accuracy["held_out"].items():
        kind = PointKind(key.split("@")[0])
        target = TARGETS.get(kind)
        met = (
            ""
            if target is None or v["mase_median"] is None
            else ("met" if v["mase_median"] <= target else "MISSED")
        )
        cov = v["coverage90_pooled_median"]
        cov_met = "" if cov is None else ("met" if COVERAGE[0] <= cov <= COVERAGE[1] else "MISSED")
        spread = f"{_fmt(v['mase_p25'])}-{_fmt(v['mase_p75'])}"
        rows.append([
            key, v["points"], _fmt(v["mase_median"]), spread,
            f"<= {target}" if target else "", met, _fmt(cov),
            f"{_fmt(v['coverage90_min'])}-{_fmt(v['coverage90_max'])}", cov_met,
        ])  # fmt: skip
    lines += ["Held-out runs (all but the medium office in Denver), every point:", ""]
    lines += [
        markdown_table(
            [
                "kind@lead",
                "points",
                "MASE median",
                "IQR",
                "target",
                "",
                "cov90 median run",
                "cov90 range",
                "85-95%",
            ],
            rows,
        ),
        "",
    ]
    rows = [
        [name, _fmt(v["mase_1h"]) or "not scored", _fmt(v["mase_24h"]), f"{v['ms_per_point']:.1f}"]
        for name, v in results["libraries"].items()
    ]
    lines += [
        "Model choice, tuning runs only (zone temperatures and electricity, from 06:00 local "
        "every other day, 14 days of history):",
        "",
        markdown_table(["model", "MASE 1h", "MASE 24h", "ms per point"], rows),
        "",
    ]
    speed = results["speed"]
    lines += [
        f"Speed: {speed['points']:,} points x {speed['history_days']} days at 15 min, fit and "
        f"forecast 24 h: **{speed['fit_and_forecast_s']:.1f} s** (median of "
        f"{len(speed['rounds_s'])}; target <= 60 s: "
        f"{'met' if speed['fit_and_forecast_s'] <= 60 else 'MISSED'}); the seasonal naive "
        f"forecast of the same points {speed['seasonal_naive_s'] * 1000:.0f} ms "
        f"(ratio {speed['ratio']}x); preparing the series {speed['prepare_s']:.1f} s; "
        f"{speed['forecast_failures']} points without a forecast; load average "
        f"{speed['load_average']}.",
        "",
    ]
    warnings = results["warnings"]
    lines += [
        f"Early warning: rule {warnings['rule']}; horizon {warnings['horizon_min']} min; "
        f"threshold p* = {warnings['threshold']} (chosen on the tuning runs).",
        "",
    ]
    rows = []
    for part in ("tuning", "held_out"):
        s = warnings[part]
        if s is None:
            continue
        rows.append([
            part, s["crossings"], _fmt(s["warned_share"]), s["fault_crossings"],
            _fmt(s["fault_warned_share"]), s["warnings"], _fmt(s["false_share"]),
            f"{s['false_after_fault']}, {s['false_morning']}", _fmt(s["median_lead_min"]),
        ])  # fmt: skip
    lines += [
        markdown_table(
            [
                "runs",
                "crossings",
                "warned >= 15 min (target >= 0.80)",
                "of them during a fault",
                "warned",
                "warnings",
                "false (target <= 0.05)",
                "false: after a fault, morning",
                "median lead min",
            ],
            rows,
        ),
        "",
        "Warned and false shares at each threshold (tuning; held out): "
        + ", ".join(
            f"{p}: {_fmt(t['warned_share'])}/{_fmt(t['false_share'])}; "
            f"{_fmt(h['warned_share'])}/{_fmt(h['false_share'])}"
            for (p, t), h in zip(
                warnings["curve"]["tuning"].items(),
                warnings["curve"]["held_out"].values(),
                strict=True,
            )
        ),
        "",
        f"Wall time {results['wall_s']:.0f} s.",
    ]
    return "\n".join(lines)


def _lead(lead: timedelta) -> str:
    return f"{int(lead.total_seconds() // 3600)}h"


def _short(kind: PointKind) -> str:
    return {"zone_temperature": "zone", "meter": "meter", "supply_temperature": "supply"}[kind]


def _median(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 4) if values else None


def _quantile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.quantile(values, q)), 4) if values else None


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
