"""The model each point forecasts with now: its stored model while it is fresh, else one fitted
on the point's recent history (no database here: the callers read and store).

Points that need a model are fitted together (`forecast.fit_many`: one vectorised pass per
kind and grid); a point with less history than `forecast.MIN_HISTORY` gets no model and a
`shortfall` saying how much history it has and how much is needed.

>>> [state] = fresh_models([info], {}, {info.twin_id: raw},
...                         now=now, settings=settings)  # doctest: +SKIP
>>> state.refit, state.model.family  # doctest: +SKIP
('no stored model', <Family.DAYTYPE_PROFILE: 'daytype_profile'>)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from graphtwin.config import Settings
from graphtwin.prediction.forecast import (
    MIN_HISTORY,
    FittedModel,
    InsufficientHistoryError,
    fit_many,
)
from graphtwin.prediction.kinds import point_kind
from graphtwin.prediction.read_history import EMPTY, RawSeries
from graphtwin.prediction.refit import refit_reason
from graphtwin.prediction.series import PreparedSeries, prepare
from graphtwin.prediction.store import PointInfo, StoredModel

FIT_STEP = timedelta(minutes=15)
"""The grid models are fitted on (a forecast's step is a whole number of it)."""


@dataclass(frozen=True, slots=True)
class ModelState:
    """A point's model for now, the history it forecasts from, and why it was fitted now
    (`refit` None: the stored model was kept). `model` None: too little history, `shortfall`
    says how much there is and how much is needed."""

    point: str
    model: FittedModel | None
    series: PreparedSeries
    refit: str | None = None
    stored: StoredModel | None = None
    shortfall: str | None = None

    @property
    def fitted_now(self) -> bool:
        return self.model is not None and self.refit is not None


def fresh_models(
    infos: Sequence[PointInfo],
    stored: Mapping[str, StoredModel],
    raw: Mapping[str, RawSeries],
    *,
    now: datetime,
    settings: Settings,
    force: bool = False,
) -> list[ModelState]:
    """Each point's state, in the order of `infos`: the stored model if it is fresh
    (refit.py), else a model fitted on its history now (all such points in one pass)."""
    states: dict[str, ModelState] = {}
    todo: list[tuple[PointInfo, PreparedSeries, str]] = []
    for info in infos:
        values = raw.get(info.twin_id, EMPTY)
        series = prepare(values.times, values.values, step=FIT_STEP)
        model = stored.get(info.twin_id)
        reason = "asked to refit" if force else None
        reason = reason or refit_reason(
            model, values, now=now, ratio=settings.forecast_refit_error_ratio, step=FIT_STEP
        )
        if reason is None and model is not None:
            states[info.twin_id] = ModelState(info.twin_id, model.model, series, stored=model)
            continue
        available = FIT_STEP * series.until(now).finite
        if available < MIN_HISTORY:
            short = InsufficientHistoryError(needed=MIN_HISTORY, available=available).reason
            states[info.twin_id] = ModelState(info.twin_id, None, series, reason, model, short)
            continue
        todo.append((info, series, reason))
    if todo:
        fitted = fit_many(
            [series for _, series, _ in todo],
            kinds=[point_kind(i.brick_class, i.unit, i.name) for i, _, _ in todo],
            now=now,
            entities=[i.twin_id for i, _, _ in todo],
        )
        for (info, series, reason), model in zip(todo, fitted, strict=True):
            states[info.twin_id] = ModelState(
                info.twin_id, model, series, reason, stored.get(info.twin_id)
            )
    return [states[i.twin_id] for i in infos]
