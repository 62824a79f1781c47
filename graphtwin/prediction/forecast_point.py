"""`graphtwin forecast TWIN_ID` and GraphQL `Node.forecast`: a point's forecast with its 80%
and 95% intervals, the model it came from, its training window and backtest score.

A point with too little history gets an answer that says so (status `insufficient_history`,
how much history it has and how much is needed) and no numbers. An id the twin does not hold is
a TwinNotFoundError; an entity that is not a live point, an InputError naming it.

>>> with TwinStore.open(settings) as store:  # doctest: +SKIP
...     answer = forecast_point(store, HistoryStore(folder), settings, "urn:office:zone-1-temp",
...                             horizon=timedelta(hours=24), step=timedelta(minutes=15))
>>> forecast_json(answer)["points"][0]  # doctest: +SKIP
{'time': '2026-12-07T07:15:00+00:00', 'mean': 21.4, 'lo80': 21.0, 'hi80': 21.8, ...}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graphtwin.config import Settings
from graphtwin.errors import InputError, TwinNotFoundError
from graphtwin.prediction.forecast import Forecast, predict_many
from graphtwin.prediction.fresh_model import FIT_STEP, ModelState, fresh_models
from graphtwin.prediction.read_history import RawSeries, read_known_at
from graphtwin.prediction.store import (
    PointInfo,
    StoredModel,
    load_models,
    points,
    save_models,
)
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.faults.spec import format_duration

OK = "ok"
INSUFFICIENT_HISTORY = "insufficient_history"


@dataclass(frozen=True, slots=True)
class PointForecast:
    """A point's forecast (`status` ok), or why there is none (`message`)."""

    twin_id: str
    status: str
    state: ModelState
    horizon: timedelta
    step: timedelta
    forecast: Forecast | None = None
    message: str | None = None


def check_request(horizon: timedelta, step: timedelta, settings: Settings) -> None:
    """An InputError naming `horizon` or `step` when the forecast asked for is out of bounds."""
    ahead, every, grid = format_duration(horizon), format_duration(step), format_duration(FIT_STEP)
    if step < FIT_STEP or step % FIT_STEP:
        raise InputError(f"the step must be a whole number of {grid} (the models' grid), "
                         f"got {every}", entity="step")  # fmt: skip
    if horizon < step:
        raise InputError(f"the horizon {ahead} is shorter than the step {every}",
                         entity="horizon")  # fmt: skip
    longest = timedelta(seconds=settings.forecast_max_horizon_s)
    if horizon > longest:
        raise InputError(f"the horizon {ahead} is longer than the limit "
                         f"{format_duration(longest)} (GRAPHTWIN_FORECAST_MAX_HORIZON_S)",
                         entity="horizon")  # fmt: skip
    steps = horizon // step
    if steps > settings.forecast_max_steps:
        raise InputError(f"{steps} steps of {every} over {ahead} exceed the limit of "
                         f"{settings.forecast_max_steps} (GRAPHTWIN_FORECAST_MAX_STEPS)",
                         entity="step")  # fmt: skip


def check_point(twin_id: str, info: PointInfo | None) -> PointInfo:
    """`info`, or the error that says why `twin_id` has no forecast."""
    if info is None:
        raise TwinNotFoundError(twin_id)
    if not info.is_point:
        raise InputError(f"a {info.kind or 'twin entity'} is not a live point: only points "
                         "have forecasts", entity=twin_id)  # fmt: skip
    return info


def forecast_point(
    store: TwinStore,
    history: HistoryStore,
    settings: Settings,
    twin_id: str,
    *,
    horizon: timedelta,
    step: timedelta,
    now: datetime | None = None,
    keep: bool = True,
) -> PointForecast:
    """The point's forecast issued at `now` (default: the present) from the history up to it; a
    model fitted for it (none stored, or due) is stored unless `keep` is false (a replay of a
    past time must not replace the present model)."""
    check_request(horizon, step, settings)
    now = now or datetime.now(UTC)
    info = check_point(twin_id, points(store, [twin_id]).get(twin_id))
    stored = load_models(store, [twin_id]).get(twin_id)
    if stored is not None and stored.fitted_at > now:
        stored = None  # a replay of a past time never sees a model fitted after it
    raw = read_known_at(history, [twin_id], now=now, days=settings.forecast_history_days)[twin_id]
    answer = forecast_from(info, stored, raw, horizon=horizon, step=step, now=now,
                           settings=settings)  # fmt: skip
    if keep and answer.state.fitted_now and answer.state.model is not None:
        save_models(store, [(twin_id, answer.state.model)], fitted_at=now,
                    refit_after_s=settings.forecast_refit_after_s)  # fmt: skip
    return answer


def forecast_from(
    info: PointInfo,
    stored: StoredModel | None,
    raw: RawSeries,
    *,
    horizon: timedelta,
    step: timedelta,
    now: datetime,
    settings: Settings,
) -> PointForecast:
    """The forecast from what was read (no database: the API reads with its own driver)."""
    [answer] = forecast_many([info], {} if stored is None else {info.twin_id: stored},
                             {info.twin_id: raw}, horizon=horizon, step=step, now=now,
                             settings=settings)  # fmt: skip
    return answer


def forecast_many(
    infos: Sequence[PointInfo],
    stored: Mapping[str, StoredModel],
    raw: Mapping[str, RawSeries],
    *,
    horizon: timedelta,
    step: timedelta,
    now: datetime,
    settings: Settings,
) -> list[PointForecast]:
    """`forecast_from` for many points: the models fitted and run in one pass each."""
    states = fresh_models(infos, stored, raw, now=now, settings=settings)
    usable = [s for s in states if s.model is not None]
    found = predict_many([s.model for s in usable if s.model is not None],
                         [s.series for s in usable], horizon=horizon, step=step)  # fmt: skip
    forecasts = dict(zip([s.point for s in usable], found, strict=True))
    answers = []
    for state in states:
        forecast = forecasts.get(state.point)
        if isinstance(forecast, Forecast):
            answers.append(PointForecast(state.point, OK, state, horizon, step, forecast))
        else:  # no model (too little history), or it cannot forecast (the latest day missing)
            message = state.shortfall if forecast is None else forecast.reason
            answers.append(PointForecast(state.point, INSUFFICIENT_HISTORY, state, horizon,
                                         step, message=message))  # fmt: skip
    return answers


def model_json(state: ModelState) -> dict[str, Any] | None:
    model = state.model
    if model is None:
        return None
    return {
        "model_id": model.model_id,
        "family": str(model.family),
        "kind": str(model.kind),
        "trained_from": model.trained_from.isoformat(),
        "trained_to": model.trained_to.isoformat(),
        "samples": int(model.samples),
        "backtest_mase": _number(model.mase),
        "refit": state.refit,
    }


def forecast_json(answer: PointForecast) -> dict[str, Any]:
    """The answer as the CLI prints it (--json) and the API's `Forecast` type reads it."""
    forecast = answer.forecast
    rows: list[dict[str, Any]] = []
    if forecast is not None:
        columns = [np.asarray(getattr(forecast, c), dtype=np.float64) for c in _BANDS]
        times = np.asarray(forecast.times).astype("datetime64[us]").astype(np.int64)
        for i, micros in enumerate(times):
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
            row: dict[str, Any] = {"time": moment.isoformat()}
            row.update({c: _number(col[i]) for c, col in zip(_BANDS, columns, strict=True)})
            rows.append(row)
    return {
        "twin_id": answer.twin_id,
        "status": answer.status,
        "message": answer.message,
        "issued_at": None if forecast is None else _iso(forecast.issued_at),
        "horizon_s": answer.horizon.total_seconds(),
        "step_s": answer.step.total_seconds(),
        "model": model_json(answer.state),
        "history": history_json(answer.state),
        "points": rows,
    }


def history_json(state: ModelState) -> dict[str, Any]:
    """What the point's history held, with its NaNs and gaps counted."""
    series = state.series
    return {
        name: int(getattr(series, name))
        for name in ("samples", "nan_count", "gap_count", "gap_steps", "filled_steps")
        if hasattr(series, name)
    }


_BANDS = ("mean", "lo80", "hi80", "lo95", "hi95")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _iso(moment: Any) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment)
