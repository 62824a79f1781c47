"""When a stored forecast model is refit: on its schedule, and when its error grows.

A model is due once `refit_after` (fitted_at + `forecast_refit_after_s`, a day by default) has
passed. Before that it is refit early when it forecasts the values that arrived since it was
trained worse than its backtest said it would: their MASE (mean absolute error over the mean
absolute error of the seasonal naive forecast, one day earlier, on the training values) above
`forecast_refit_error_ratio` times the backtest MASE. Too few new values (under an hour's) to
judge keep the model.

>>> refit_reason(stored, raw, now=now, ratio=2.0)  # doctest: +SKIP
'error grew: MASE 3.10 on the 40 values since training, backtest 0.92'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from graphtwin.prediction.forecast import InsufficientHistoryError, predict
from graphtwin.prediction.read_history import RawSeries
from graphtwin.prediction.series import prepare
from graphtwin.prediction.store import StoredModel

MIN_NEW = timedelta(hours=1)
"""Values newer than the model over less than this say nothing yet about its error."""

SEASON = timedelta(days=1)


def refit_reason(
    stored: StoredModel | None, raw: RawSeries, *, now: datetime, ratio: float, step: timedelta
) -> str | None:
    """Why the point's model must be (re)fitted now, or None to keep the stored one."""
    if stored is None:
        return "no stored model"
    if now >= stored.refit_after:
        return f"scheduled: due since {stored.refit_after.isoformat()}"
    backtest = stored.model.mase
    if backtest is None or not np.isfinite(backtest):
        return None
    recent = recent_mase(stored, raw, step=step)
    if recent is None or recent <= ratio * backtest:
        return None
    return f"error grew: MASE {recent:.2f} on the values since training, backtest {backtest:.2f}"


def recent_mase(stored: StoredModel, raw: RawSeries, *, step: timedelta) -> float | None:
    """MASE of the model on the values recorded since its training window ended, or None when
    they span less than `MIN_NEW` or the training values have no seasonal variation."""
    trained_to = stored.model.trained_to
    new = raw.since(trained_to)
    if new.values.size == 0 or _span(new) < MIN_NEW:
        return None
    before = raw.before(trained_to)
    series = prepare(before.times, before.values, step=step)
    horizon = _as_datetime(new.times[-1]) - trained_to + step
    try:
        forecast = predict(stored.model, series, horizon=horizon, step=step)
    except InsufficientHistoryError:
        return None  # the model cannot forecast from what is left: the schedule will refit it
    mean = np.asarray(forecast.mean, dtype=np.float64)
    at = np.asarray(forecast.times).astype("datetime64[ns]").astype(np.int64)
    ok = np.isfinite(new.values)
    if mean.size == 0 or not ok.any():
        return None
    expected = np.interp(new.times.astype(np.int64)[ok], at, mean)
    error = float(np.mean(np.abs(new.values[ok] - expected)))
    scale = _seasonal_scale(before.values, before.times)
    return None if scale is None else error / scale


def _seasonal_scale(values: np.ndarray, times: np.ndarray) -> float | None:
    """Mean absolute change from the value one day earlier (nearest recorded), in training."""
    if values.size < 2:
        return None
    ns = times.astype(np.int64)
    earlier = ns - int(SEASON.total_seconds() * 1e9)
    has = earlier >= ns[0]
    if not has.any():
        return None
    index = np.clip(np.searchsorted(ns, earlier[has]), 0, ns.size - 1)
    diffs = np.abs(values[has] - values[index])
    diffs = diffs[np.isfinite(diffs)]
    scale = float(np.mean(diffs)) if diffs.size else 0.0
    return scale if scale > 0 else None


def _span(raw: RawSeries) -> timedelta:
    span_ns = int((raw.times[-1] - raw.times[0]).astype("timedelta64[ns]").astype(np.int64))
    return timedelta(microseconds=span_ns / 1000)


def _as_datetime(moment: np.datetime64) -> datetime:
    micros = int(moment.astype("datetime64[us]").astype(np.int64))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
