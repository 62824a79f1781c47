"""A point's value from its related points, learned on the history window.

For a point y the features are its context points of other kinds (its parent's and its group's:
setpoints, flows, fan status, coil rates, with their squares), the median of its peers of the
same kind, the outdoor temperature and the time of day. A ridge regression on standardised
features is fitted on the history window; the residual scale comes from the history days
predicted by a model fitted on the other days (two folds by day), so it is an out-of-sample
scale. The evaluation window's standardised residuals `z` are what the residual, stuck and swap
detectors read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import Ridge

from graphtwin.behaviour.episodes import robust_scale
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.prediction.kinds import PointKind

MIN_SCALE = {
    PointKind.ZONE_TEMPERATURE: 0.1,
    PointKind.SUPPLY_TEMPERATURE: 0.1,
    PointKind.OUTDOOR_TEMPERATURE: 0.2,
    PointKind.HUMIDITY: 0.5,
}
"""The smallest residual scale a point gets (its unit): a point predicted almost exactly on
its history must not alarm on a few hundredths."""

MIN_SHIFT = {
    PointKind.ZONE_TEMPERATURE: 1.0,
    PointKind.SUPPLY_TEMPERATURE: 1.0,
    PointKind.OUTDOOR_TEMPERATURE: 1.0,
    PointKind.HUMIDITY: 5.0,
}
"""The smallest shift off its relation (its unit) that the residual detector reports: a
supply temperature held at 12.8 C for two weeks has a tiny largest shift, and a reset of a
fraction of a degree would otherwise be many times it."""


@dataclass(frozen=True, slots=True)
class Fitted:
    point: str
    features: tuple[str, ...]
    """The related points the prediction used (the peers' median counts as `peers:<kind>`)."""
    predicted: np.ndarray
    """Over the whole frame (history and evaluation)."""
    scale: float
    """Out-of-sample residual scale on the history window."""
    z: np.ndarray
    """(value - predicted) / scale over the whole frame; on the history window the residual of
    the model fitted on the other days (out of sample), so statistics learned on it hold."""
    r2: float
    """Out-of-sample R^2 on the history window."""
    novel: np.ndarray
    """Steps whose features lie outside what the history window held (by a tenth of their
    range): the relation was never seen there, its prediction is a guess."""


def fit_point(frame: Frame, relations: Relations, point: str, *, alpha: float = 1.0) -> Fitted:
    """Fit and apply the relation model of one point."""
    names, matrix = features(frame, relations, point)
    y = frame.column(point)
    predicted, scale, r2, held_out = fit_predict(matrix, y, frame, alpha=alpha)
    kind = relations.kind(point)
    scale = max(scale, MIN_SCALE.get(kind, 1e-6 * (np.nanstd(y[: frame.history]) + 1.0)))
    residual = y - predicted
    residual[: frame.history] = (y - held_out)[: frame.history]
    return Fitted(
        point, names, predicted, scale, residual / scale, r2, novel(matrix, frame.history)
    )


def novel(matrix: np.ndarray, history: int, margin: float = 0.1) -> np.ndarray:
    """Steps where a feature is outside its history range widened by `margin` of the range."""
    with np.errstate(invalid="ignore"):
        low, high = np.nanmin(matrix[:history], axis=0), np.nanmax(matrix[:history], axis=0)
        pad = margin * (high - low)
        outside = (matrix < low - pad) | (matrix > high + pad)
    return np.asarray(outside.any(axis=1))


def fit_predict(
    matrix: np.ndarray, y: np.ndarray, frame: Frame, *, alpha: float = 1.0, final: bool = True
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """Predictions over the frame from a ridge fit on the history, the out-of-sample residual
    scale and R^2 on the history (two folds by day), and the out-of-sample predictions.
    `final=False` skips the fit on the whole history (its predictions are NaN): for the R^2
    alone."""
    h = frame.history
    x = _standardise(matrix, h)
    known = np.isfinite(y)
    hist = np.zeros(frame.steps, bool)
    hist[:h] = True
    day = np.arange(frame.steps) // frame.steps_per_day
    out_of_sample = np.full(frame.steps, np.nan)
    for parity in (0, 1):
        train = hist & known & (day % 2 == parity)
        test = hist & known & (day % 2 != parity)
        if train.sum() < 10 or test.sum() == 0:
            continue
        model = Ridge(alpha=alpha).fit(x[train], y[train])
        out_of_sample[test] = model.predict(x[test])
    train = hist & known
    if train.sum() < 10:
        return np.full(frame.steps, np.nan), np.inf, 0.0, out_of_sample
    predicted = (
        Ridge(alpha=alpha).fit(x[train], y[train]).predict(x)
        if final
        else np.full(frame.steps, np.nan)
    )
    residual = (y - out_of_sample)[:h]
    scale = robust_scale(residual, 1e-9)
    finite = np.isfinite(residual)
    spread = float(np.var(y[:h][finite])) if finite.any() else 0.0
    r2 = 1.0 - float(np.mean(residual[finite] ** 2)) / spread if spread > 0 else 0.0
    return predicted, scale, r2, out_of_sample


def features(frame: Frame, relations: Relations, point: str) -> tuple[tuple[str, ...], np.ndarray]:
    """The feature names and matrix (steps x features) of `point`'s relation model."""
    me = relations.points[point]
    names: list[str] = []
    columns: list[np.ndarray] = []
    for other in relations.context(point):
        if other in frame and relations.kind(other) is not me.kind:
            values = frame.column(other)
            names.append(other)
            columns += [values, values**2]
    peers = [p for p in relations.peers(point) if p in frame]
    drivers = []
    if len(peers) >= 2:  # one faulty peer moves a median of two: explain_away sorts that out
        names.append(f"peers:{me.kind}")
        drivers.append(np.nanmedian(frame.values[:, [frame.ids.index(p) for p in peers]], axis=1))
    for outdoor in relations.of_kind(PointKind.OUTDOOR_TEMPERATURE):
        if outdoor != point and outdoor in frame and outdoor not in names:
            names.append(outdoor)
            drivers.append(frame.column(outdoor))
    columns += drivers
    for status in [
        n for n in names if relations.points.get(n) and relations.kind(n) is PointKind.STATUS
    ]:
        # what drives a zone or the supply air differs with the fans on or off
        columns += [frame.column(status) * d for d in drivers]
    angle = 2 * np.pi * frame.slot / frame.steps_per_day
    columns += [np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)]
    columns.append(frame.weekend.astype(float))
    return tuple(names), np.column_stack(columns)


def _standardise(matrix: np.ndarray, history: int) -> np.ndarray:
    """Columns centred and scaled on the history window; NaN becomes 0 (the history mean)."""
    hist = matrix[:history]
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isfinite(hist), hist, np.nan), axis=0)
        std = np.nanstd(np.where(np.isfinite(hist), hist, np.nan), axis=0)
    mean = np.nan_to_num(mean)
    std = np.where(np.isfinite(std) & (std > 1e-12), std, 1.0)
    out = (matrix - mean) / std
    return np.where(np.isfinite(out), out, 0.0)
