"""Why the day-type profile model: statsforecast's models on the same points and origins.

On the tuning runs only (the medium office in Denver; the choice is part of the tuning), for
every zone temperature and the electricity meter: a forecast from 06:00 local every other day
of the evaluation window, 24 h ahead, by statsforecast's `SeasonalExponentialSmoothingOptimized`
(one daily season), `MSTL` (daily season, AutoETS trend; from every fourth origin only, it is
slow; skipped with `--quick`; with the weekly season too it takes seconds a point and is only
timed) and
the day-type profile model (`graphtwin.prediction`), each from the same history (the 14 days
before the origin). Scored by MASE at 1 h and 24 h against the seasonal naive forecast of the
same targets, with the time per point to fit and forecast.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np

from benchmarks.forecast_data import Run
from graphtwin.prediction.forecast import fit_many, predict_many
from graphtwin.prediction.kinds import PointKind

DAY = 96
LEADS = {"1h": 4, "24h": 96}
KINDS = (PointKind.ZONE_TEMPERATURE, PointKind.METER)


def _statsforecast_models(quick: bool) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    from statsforecast.models import MSTL, SeasonalExponentialSmoothingOptimized

    models: dict[str, Any] = {
        "statsforecast SeasonalExponentialSmoothingOptimized(96)": (
            SeasonalExponentialSmoothingOptimized(season_length=DAY)
        ),
    }
    if not quick:
        models["statsforecast MSTL(96), AutoETS trend"] = MSTL(season_length=DAY)
    return {
        name: (lambda y, model=model: np.asarray(model.forecast(y=y, h=DAY)["mean"]))
        for name, model in models.items()
    }


def compare(runs: list[Run], *, quick: bool) -> dict[str, Any]:
    """MASE per model (median over points) and milliseconds per point."""
    library = _statsforecast_models(quick)
    errors: dict[str, dict[tuple[str, str], list[tuple[float, float]]]] = {}
    seconds: dict[str, list[float]] = {}
    for run in runs:
        ids = [
            i
            for i, kind in run.kinds.items()
            if kind in KINDS and np.nanstd(run.series[i].values) > 0
        ]
        series = [run.series[i] for i in ids]
        first = series[0]
        local_six = timedelta(hours=6) - run.utc_offset  # 06:00 local in UTC after midnight
        origins = []
        day = run.history_end.replace(hour=0, minute=0) + local_six
        while day + timedelta(days=1) <= run.end:
            if day >= run.history_end:
                origins.append(day)
            day += timedelta(days=2)
        for number, origin in enumerate(origins):
            index = int((origin - first.start) / first.step)
            history = [s.until(origin) for s in series]
            actual = np.stack([s.values[index + 1 : index + 1 + DAY] for s in series])
            naive = np.stack([s.values[index + 1 - DAY : index + 1] for s in series])
            truth = (actual, naive)
            started = time.perf_counter()
            models = fit_many(
                history, kinds=[run.kinds[i] for i in ids], now=origin, utc_offset=run.utc_offset
            )
            forecasts = predict_many(models, history, horizon=timedelta(days=1), step=first.step)
            ours = np.stack([f.mean for f in forecasts])  # type: ignore[union-attr]
            name = "graphtwin day-type profile"
            _record(name, ours, truth, ids, run, started, errors, seconds)
            for model_name, forecast in library.items():
                if "MSTL" in model_name and number % 4:
                    continue  # 0.3-0.5 s a point: every fourth origin keeps the run short
                started = time.perf_counter()
                out = np.stack([forecast(h.values[-14 * DAY :]) for h in history])
                _record(model_name, out, truth, ids, run, started, errors, seconds)
    results = {}
    for model_name, by_point in errors.items():
        row: dict[str, Any] = {
            "ms_per_point": round(1000 * statistics.median(seconds[model_name]), 1)
        }
        for lead in LEADS:
            mase = [
                sum(e for e, _ in pairs) / sum(n for _, n in pairs)
                for key, pairs in by_point.items()
                if key[1] == lead and sum(n for _, n in pairs) > 0
            ]
            row[f"mase_{lead}"] = round(statistics.median(mase), 3) if mase else None
        results[model_name] = row
    if not quick:
        results["statsforecast MSTL([96, 672]), AutoETS trend"] = {
            "mase_1h": None,
            "mase_24h": None,
            "ms_per_point": round(1000 * _weekly_mstl_seconds(), 1),
        }
    return results


def _weekly_mstl_seconds() -> float:
    """One fit and forecast of MSTL with the weekly season too (14 days of a synthetic zone):
    timed only, too slow to score (the faster of two calls, after a warm-up call)."""
    from statsforecast.models import MSTL

    rng = np.random.default_rng(19)
    y = 22 + np.sin(np.arange(14 * DAY) / DAY * 2 * np.pi) + rng.normal(0, 0.1, 14 * DAY)
    model = MSTL(season_length=[DAY, 7 * DAY])
    model.forecast(y=y, h=DAY)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        model.forecast(y=y, h=DAY)
        times.append(time.perf_counter() - started)
    return min(times)


def _record(
    name: str,
    forecast: np.ndarray,
    truth: tuple[np.ndarray, np.ndarray],
    ids: list[str],
    run: Run,
    started: float,
    errors: dict[str, dict[tuple[str, str], list[tuple[float, float]]]],
    seconds: dict[str, list[float]],
) -> None:
    """The model's and the seasonal naive forecast's absolute errors at each lead."""
    seconds.setdefault(name, []).append((time.perf_counter() - started) / len(ids))
    actual, naive = truth
    for lead_name, lead in LEADS.items():
        for row, twin_id in enumerate(ids):
            errors.setdefault(name, {}).setdefault((run.name + twin_id, lead_name), []).append(
                (
                    abs(actual[row, lead - 1] - forecast[row, lead - 1]),
                    abs(actual[row, lead - 1] - naive[row, lead - 1]),
                )
            )
