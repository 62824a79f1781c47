"""Fit a point's forecasting model and forecast with it, with 80, 90 and 95% intervals.

`fit` chooses the model by the point's kind (kinds.py, models.py) and returns a `FittedModel`
that serialises to plain JSON (`to_record` / `from_record`). `predict` forecasts the steps after
the last value of a series with it. Too little history is an `InsufficientHistoryError` (an
`InputError`) that says how much is needed and how much there is: no invented numbers.

>>> import numpy as np
>>> from datetime import UTC, datetime, timedelta
>>> step = timedelta(minutes=15)
>>> times = np.datetime64("2025-07-01T00:15") + np.arange(96 * 14) * np.timedelta64(15, "m")
>>> values = 22 + np.sin(np.arange(times.size) / 96 * 2 * np.pi)
>>> series = prepare(times, values, step=step)
>>> model = fit(series, kind=PointKind.ZONE_TEMPERATURE, now=datetime(2025, 7, 15, tzinfo=UTC))
>>> forecast = predict(model, series, horizon=timedelta(hours=2), step=step)
>>> forecast.mean.size, bool((forecast.lo95 <= forecast.lo80).all())
(8, True)
>>> FittedModel.from_record(model.to_record()) == model
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from graphtwin.errors import InputError
from graphtwin.prediction.kinds import Family, KindPolicy, PointKind, policy
from graphtwin.prediction.models import (
    FEATURES,
    Grid,
    RowParams,
    Settings,
    fit_naive_rows,
    fit_rows,
    rolling_rows,
    seasonal_naive_rows,
)
from graphtwin.prediction.series import PreparedSeries, prepare

__all__ = [
    "MIN_HISTORY",
    "FittedModel",
    "Forecast",
    "InsufficientHistoryError",
    "PointKind",
    "fit",
    "fit_many",
    "model_values",
    "predict",
    "predict_many",
    "prepare",
    "stack_params",
]

MIN_HISTORY = timedelta(days=3)
"""Values needed to fit: a day to build the profile from and two to calibrate it on."""
RECORD_VERSION = 1
LEVEL_NAMES = ("lo95", "lo90", "lo80", "hi80", "hi90", "hi95")  # in the order of LEVELS
_COUNTER_SHARE = 0.99
"""A meter is a running counter when this share of its steps does not fall."""


class InsufficientHistoryError(InputError):
    """Too little history to fit or forecast: `needed` and `available` say how much."""

    def __init__(
        self, *, needed: timedelta, available: timedelta, entity: str | None = None
    ) -> None:
        super().__init__(
            f"too little history to forecast: {_hours(available)} of values, "
            f"{_hours(needed)} needed",
            entity=entity,
        )
        self.needed = needed
        self.available = available


@dataclass(frozen=True, slots=True)
class FittedModel:
    """A fitted model: what it is, what it was trained on, how well it did, and its numbers."""

    model_id: str
    family: Family
    kind: PointKind
    trained_from: datetime
    trained_to: datetime
    samples: int
    mase: float | None
    """Backtest MASE (against the value one day earlier) on the calibration window: the worse
    of the leads 1 h and 24 h (`mase_by_lead`). None when the naive forecast never errs."""
    mase_by_lead: dict[str, float | None]
    step_s: float
    utc_offset_s: float
    counter: bool
    settings: dict[str, Any]
    leads: tuple[int, ...]
    coef: dict[str, tuple[tuple[float, ...], ...]]
    """Correction coefficients by input (models.FEATURES), per time-of-day block, at `leads`."""
    quantiles: dict[str, tuple[tuple[float, ...], ...]]
    """Error quantiles by interval bound (lo95 ... hi95), per time-of-day block, at `leads`."""

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able values (datetimes as ISO 8601)."""
        return {
            "version": RECORD_VERSION,
            "model_id": self.model_id,
            "family": str(self.family),
            "kind": str(self.kind),
            "trained_from": self.trained_from.isoformat(),
            "trained_to": self.trained_to.isoformat(),
            "samples": self.samples,
            "mase": self.mase,
            "mase_by_lead": dict(self.mase_by_lead),
            "step_s": self.step_s,
            "utc_offset_s": self.utc_offset_s,
            "counter": self.counter,
            "settings": dict(self.settings),
            "leads": list(self.leads),
            "coef": {k: [list(b) for b in v] for k, v in self.coef.items()},
            "quantiles": {k: [list(b) for b in v] for k, v in self.quantiles.items()},
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FittedModel:
        """The model `to_record` wrote; a record of another version or shape is an InputError."""
        try:
            if record.get("version") != RECORD_VERSION:
                raise InputError(
                    f"forecast model record version {record.get('version')!r}, "
                    f"this graphtwin reads {RECORD_VERSION}: refit the model"
                )
            settings = dict(record["settings"])
            return cls(
                model_id=str(record["model_id"]),
                family=Family(record["family"]),
                kind=PointKind(record["kind"]),
                trained_from=datetime.fromisoformat(record["trained_from"]),
                trained_to=datetime.fromisoformat(record["trained_to"]),
                samples=int(record["samples"]),
                mase=None if record["mase"] is None else float(record["mase"]),
                mase_by_lead={str(k): v for k, v in record["mase_by_lead"].items()},
                step_s=float(record["step_s"]),
                utc_offset_s=float(record["utc_offset_s"]),
                counter=bool(record["counter"]),
                settings=settings,
                leads=tuple(int(x) for x in record["leads"]),
                coef={k: _table(v) for k, v in record["coef"].items()},
                quantiles={k: _table(v) for k, v in record["quantiles"].items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed forecast model record: {exc}") from exc

    @property
    def step(self) -> timedelta:
        return timedelta(seconds=self.step_s)

    def _params(self) -> RowParams:
        return stack_params([self])

    def _settings(self) -> Settings:
        return Settings(**{**self.settings, "clip": tuple(self.settings["clip"])})


@dataclass(frozen=True, slots=True)
class Forecast:
    """Forecast values at `times` (datetime64[ns], UTC) with their interval bounds."""

    model_id: str
    issued_at: datetime
    """The time of the last value the forecast starts from."""
    times: np.ndarray
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo90: np.ndarray
    hi90: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    status: str = "ok"


def fit(
    series: PreparedSeries,
    *,
    kind: PointKind,
    now: datetime,
    utc_offset: timedelta = timedelta(0),
    entity: str | None = None,
) -> FittedModel:
    """Fit the model of `kind` on the values of `series` up to `now`.

    `utc_offset` is the building's local time minus UTC: it says where its days begin (day types
    follow the local calendar). Raises `InsufficientHistoryError` below `MIN_HISTORY`."""
    return fit_many([series], kinds=[kind], now=now, utc_offset=utc_offset, entities=[entity])[0]


def fit_many(
    series: Sequence[PreparedSeries],
    *,
    kinds: Sequence[PointKind],
    now: datetime,
    utc_offset: timedelta = timedelta(0),
    entities: Sequence[str | None] | None = None,
    family: Family | None = None,
) -> list[FittedModel]:
    """Fit many series at once (one vectorised pass per kind and grid): what `fit` does, fast.

    Raises `InsufficientHistoryError` naming the first series (by `entities`) with too little."""
    if len(series) != len(kinds):
        raise InputError(f"{len(series)} series but {len(kinds)} kinds")
    names = list(entities) if entities is not None else [None] * len(series)
    prepared = [_training(s, k, now, name) for s, k, name in zip(series, kinds, names, strict=True)]
    out: list[FittedModel | None] = [None] * len(series)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, (values, start, counter) in enumerate(prepared):
        key = (kinds[i], series[i].step, values.size, start, counter)
        groups.setdefault(key, []).append(i)
    for (kind, step, _size, start, counter), members in groups.items():
        rule = policy(kind)
        chosen = family or rule.family
        settings = _settings_for(rule)
        grid = _grid(start, step, utc_offset)
        values = np.stack([prepared[i][0] for i in members])
        fitter = fit_naive_rows if chosen is Family.SEASONAL_NAIVE else fit_rows
        params = fitter(values, grid, settings)
        for row, i in enumerate(members):
            out[i] = _model(
                chosen, kind, series[i], start, values[row], params, row, settings, counter,
                utc_offset,
            )  # fmt: skip
    return [m for m in out if m is not None]


def predict(
    model: FittedModel, series: PreparedSeries, *, horizon: timedelta, step: timedelta
) -> Forecast:
    """Forecast the `horizon` after the last value of `series` (which must be on the model's
    grid) every `step` (a whole number of the model's steps). Raises
    `InsufficientHistoryError` when the series holds too little to forecast from."""
    (result,) = predict_many([model], [series], horizon=horizon, step=step)
    if isinstance(result, InsufficientHistoryError):
        raise result
    return result


def predict_many(
    models: Sequence[FittedModel],
    series: Sequence[PreparedSeries],
    *,
    horizon: timedelta,
    step: timedelta,
) -> list[Forecast | InsufficientHistoryError]:
    """`predict` for many points at once (one vectorised pass per grid and model settings);
    a point with too little history gets its `InsufficientHistoryError` in its place."""
    if len(models) != len(series):
        raise InputError(f"{len(models)} models but {len(series)} series")
    out: list[Forecast | InsufficientHistoryError | None] = [None] * len(models)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, (model, s) in enumerate(zip(models, series, strict=True)):
        leads = _leads(model, s, horizon, step)
        values = _as_model_values(s.values, model.counter)
        if not np.isfinite(values).any():
            out[i] = InsufficientHistoryError(needed=MIN_HISTORY, available=timedelta(0))
            continue
        key = (
            model.step_s, model.counter, model.family, json.dumps(model.settings),
            model.utc_offset_s, s.start, len(s), tuple(model.leads), leads.size,
        )  # fmt: skip
        groups.setdefault(key, []).append(i)
    for members in groups.values():
        first = models[members[0]]
        leads = _leads(first, series[members[0]], horizon, step)
        values = np.stack([_as_model_values(series[i].values, first.counter) for i in members])
        grid = model_values(series[members[0]], first)[1]
        origin = np.array([values.shape[1] - 1])
        if first.family is Family.SEASONAL_NAIVE:
            mean = seasonal_naive_rows(values, grid, origin, leads)
            params = stack_params([models[i] for i in members])
            bounds = mean[:, None, :] + params.quantiles[:, :, 0, -1:]
        else:
            params = stack_params([models[i] for i in members])
            mean, bounds = rolling_rows(values, grid, params, first._settings(), origin, leads)
        for row, i in enumerate(members):
            s = series[i]
            if not np.isfinite(mean[row]).all():
                have = s.step * int(np.isfinite(values[row]).sum())
                out[i] = InsufficientHistoryError(needed=timedelta(days=1), available=have)
                continue
            times = s.times[-1] + leads * np.timedelta64(int(first.step_s * 1e9), "ns")
            q = {name: bounds[row, k] for k, name in enumerate(LEVEL_NAMES)}
            out[i] = Forecast(
                model_id=models[i].model_id, issued_at=s.end, times=times, mean=mean[row], **q
            )
    return [r for r in out if r is not None]


def _leads(
    model: FittedModel, series: PreparedSeries, horizon: timedelta, step: timedelta
) -> np.ndarray:
    """The model-grid leads of a forecast every `step` over `horizon` (checked)."""
    if series.step != model.step:
        raise InputError(f"the series is on a {series.step} grid, the model on {model.step}")
    ratio = step / model.step
    if step <= timedelta(0) or abs(ratio - round(ratio)) > 1e-9:
        raise InputError(f"the forecast step {step} must be a whole number of {model.step}")
    if horizon < step:
        raise InputError(f"the horizon {horizon} is shorter than the step {step}")
    return np.arange(1, int(horizon / step) + 1) * round(ratio)


def stack_params(models: Sequence[FittedModel]) -> RowParams:
    """The numbers of models fitted together (same leads), one row each, for models.py."""
    return RowParams(
        leads=np.asarray(models[0].leads, dtype=np.int64),
        coef=np.asarray([[m.coef[name] for name in FEATURES] for m in models]),
        quantiles=np.asarray([[m.quantiles[name] for name in LEVEL_NAMES] for m in models]),
    )


def model_values(series: PreparedSeries, model: FittedModel) -> tuple[np.ndarray, Grid]:
    """What the model forecasts from `series` (usage per step for a counter) and its grid."""
    values = _as_model_values(series.values, model.counter)
    start = _values_start(series, model.counter)
    return values, _grid(start, series.step, timedelta(seconds=model.utc_offset_s))


def _training(
    series: PreparedSeries, kind: PointKind, now: datetime, entity: str | None
) -> tuple[np.ndarray, datetime, bool]:
    """The values a model trains on (up to `now`, differenced for a counter) and their start."""
    if timedelta(days=1) % series.step:
        raise InputError(f"the grid step {series.step} must divide a day (15 min, 1 h, ...)")
    part = series.until(now)
    finite = part.finite
    available = part.step * finite
    if available < MIN_HISTORY:
        raise InsufficientHistoryError(needed=MIN_HISTORY, available=available, entity=entity)
    counter = policy(kind).counter and _is_counter(part.values)
    return _as_model_values(part.values, counter), _values_start(part, counter), counter


def _is_counter(values: np.ndarray) -> bool:
    steps = np.diff(values)
    steps = steps[np.isfinite(steps)]
    return steps.size > 0 and bool((steps >= 0).mean() >= _COUNTER_SHARE) and bool(steps.any())


def _as_model_values(values: np.ndarray, counter: bool) -> np.ndarray:
    """Usage per step for a counter (a fall, a reset, is no usage: NaN), else the values."""
    if not counter:
        return np.asarray(values, dtype=np.float64)
    usage = np.diff(values)
    return np.where(usage >= 0, usage, np.nan)


def _values_start(series: PreparedSeries, counter: bool) -> datetime:
    return series.start + series.step if counter else series.start


def _settings_for(rule: KindPolicy) -> Settings:
    return Settings(day_types=rule.day_types, correction=rule.correction, clip=rule.clip)


def _grid(start: datetime, step: timedelta, utc_offset: timedelta) -> Grid:
    return Grid(
        start_ns=round(start.timestamp() * 1e9),
        step_ns=round(step.total_seconds() * 1e9),
        offset_ns=round(utc_offset.total_seconds() * 1e9),
    )


def _model(
    family: Family,
    kind: PointKind,
    series: PreparedSeries,
    start: datetime,
    values: np.ndarray,
    params: RowParams,
    row: int,
    settings: Settings,
    counter: bool,
    utc_offset: timedelta,
) -> FittedModel:
    m = int(timedelta(days=1) / series.step)
    hour = max(1, int(timedelta(hours=1) / series.step))
    by_lead = {
        "1h": _finite_or_none(params.mase.get(hour, np.array([np.nan]))[row]),
        "24h": _finite_or_none(params.mase.get(m, np.array([np.nan]))[row]),
    }
    scores = [v for v in by_lead.values() if v is not None]
    finite = np.flatnonzero(np.isfinite(values))
    trained_from = start + series.step * int(finite[0])
    trained_to = start + series.step * int(finite[-1])
    plain = {
        "day_types": settings.day_types,
        "lookback_days": settings.lookback_days,
        "decay": settings.decay,
        "calibration_days": settings.calibration_days,
        "correction": settings.correction,
        "ridge": settings.ridge,
        "blocks": settings.blocks,
        "clip": list(settings.clip),
    }
    quantiles = {name: _table(params.quantiles[row, i]) for i, name in enumerate(LEVEL_NAMES)}
    digest = hashlib.sha256(
        f"{family}|{kind}|{trained_from.isoformat()}|{trained_to.isoformat()}|{m}".encode()
        + params.coef[row].tobytes()
        + params.quantiles[row].tobytes()
    ).hexdigest()[:12]
    return FittedModel(
        model_id=f"{family}-{kind}-{trained_to:%Y%m%dT%H%M}-{digest}",
        family=family,
        kind=kind,
        trained_from=trained_from,
        trained_to=trained_to,
        samples=int(finite.size),
        mase=max(scores) if scores else None,
        mase_by_lead=by_lead,
        step_s=series.step.total_seconds(),
        utc_offset_s=utc_offset.total_seconds(),
        counter=counter,
        settings=plain,
        leads=tuple(int(x) for x in params.leads),
        coef={name: _table(params.coef[row, f]) for f, name in enumerate(FEATURES)},
        quantiles=quantiles,
    )


def _table(rows: Any) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(x) for x in row) for row in rows)


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} h"
