"""Rolling-origin backtest: forecasts made every step over [start, end] from only the values
known then, scored against what happened.

At each origin (every grid step from `start`) the model refit at the last refit time before it
(every `refit_every`, on the values up to then) forecasts each lead. Per point and lead:

- MASE: the mean absolute error over that of the seasonal naive forecast (the value one day
  before the target, or whole days for leads over a day) on the same targets, so the seasonal
  naive forecast itself scores exactly 1 and below 1 is better;
- coverage of the 80, 90 and 95% intervals: the share of targets inside them.

Pure: takes prepared series, returns a report. Points with too little history at `start` are
skipped and named in `report.skipped`.

>>> import numpy as np
>>> from datetime import UTC, datetime, timedelta
>>> step = timedelta(minutes=15)
>>> times = np.datetime64("2025-07-01T00:15") + np.arange(96 * 10) * np.timedelta64(15, "m")
>>> rng = np.random.default_rng(1)
>>> values = 22 + np.sin(np.arange(times.size) / 96 * 2 * np.pi) + rng.normal(0, 0.1, times.size)
>>> series = prepare(times, values, step=step)
>>> report = backtest([series], [PointKind.ZONE_TEMPERATURE],
...                   start=datetime(2025, 7, 8, tzinfo=UTC), end=datetime(2025, 7, 11, tzinfo=UTC))
>>> score = report.score(0, timedelta(hours=1))
>>> score.mase < 1.0, 0.8 < score.coverage[0.9] <= 1.0
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from graphtwin.errors import InputError
from graphtwin.prediction.forecast import (
    MIN_HISTORY,
    FittedModel,
    fit_many,
    model_values,
    stack_params,
)
from graphtwin.prediction.kinds import Family, PointKind
from graphtwin.prediction.models import rolling_rows
from graphtwin.prediction.series import PreparedSeries, prepare

__all__ = ["BacktestReport", "PointScore", "backtest", "prepare"]

DEFAULT_LEADS = (timedelta(hours=1), timedelta(hours=24))
COVERAGES = (0.8, 0.9, 0.95)
_BOUNDS = {0.95: (0, 5), 0.9: (1, 4), 0.8: (2, 3)}  # indexes into LEVELS


@dataclass(frozen=True, slots=True)
class PointScore:
    """One point at one lead: sums kept so scores pool across points (`pooled`)."""

    point: int
    entity: str | None
    kind: PointKind
    lead: timedelta
    count: int
    abs_error: float
    naive_abs_error: float
    inside: dict[float, int]

    @property
    def mase(self) -> float:
        return self.abs_error / self.naive_abs_error if self.naive_abs_error > 0 else float("nan")

    @property
    def coverage(self) -> dict[float, float]:
        return {c: (n / self.count if self.count else float("nan")) for c, n in self.inside.items()}


@dataclass(slots=True)
class BacktestReport:
    start: datetime
    end: datetime
    leads: tuple[timedelta, ...]
    scores: list[PointScore] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    """Point index -> why it was not scored (too little history)."""

    def score(self, point: int, lead: timedelta) -> PointScore:
        for s in self.scores:
            if s.point == point and s.lead == lead:
                return s
        raise KeyError((point, lead))

    def pooled(self, lead: timedelta, kinds: set[PointKind] | None = None) -> PointScore:
        """All scored points of `kinds` (all when None) at `lead` as one."""
        chosen = [s for s in self.scores if s.lead == lead and (kinds is None or s.kind in kinds)]
        return PointScore(
            point=-1,
            entity=None,
            kind=chosen[0].kind if chosen else PointKind.OTHER,
            lead=lead,
            count=sum(s.count for s in chosen),
            abs_error=sum(s.abs_error for s in chosen),
            naive_abs_error=sum(s.naive_abs_error for s in chosen),
            inside={c: sum(s.inside[c] for s in chosen) for c in COVERAGES},
        )


def backtest(
    series: Sequence[PreparedSeries],
    kinds: Sequence[PointKind],
    *,
    start: datetime,
    end: datetime,
    leads: Sequence[timedelta] = DEFAULT_LEADS,
    refit_every: timedelta = timedelta(days=1),
    utc_offset: timedelta = timedelta(0),
    entities: Sequence[str | None] | None = None,
    family: Family | None = None,
) -> BacktestReport:
    """Score rolling-origin forecasts of each series over [start, end] (see the module)."""
    if end <= start:
        raise InputError(f"the backtest window must end after it starts: {start} .. {end}")
    if refit_every <= timedelta(0):
        raise InputError(f"refit_every must be positive, not {refit_every}")
    if len(series) != len(kinds):
        raise InputError(f"{len(series)} series but {len(kinds)} kinds")
    names = list(entities) if entities is not None else [None] * len(series)
    report = BacktestReport(start, end, tuple(leads))
    usable = []
    for i, s in enumerate(series):
        have = s.until(start).finite * s.step
        if have < MIN_HISTORY:
            report.skipped[i] = (
                f"{have} of history before {start.isoformat()}, {MIN_HISTORY} needed"
            )
        else:
            usable.append(i)
    sums: dict[tuple[int, timedelta], list[float]] = {}
    refit_at = start
    while refit_at < end:
        until = min(refit_at + refit_every, end)
        models = fit_many(
            [series[i] for i in usable],
            kinds=[kinds[i] for i in usable],
            now=refit_at,
            utc_offset=utc_offset,
            entities=[names[i] for i in usable],
            family=family,
        )
        groups: dict[tuple[object, ...], list[int]] = {}
        for j, i in enumerate(usable):
            s = series[i]
            key = (
                s.start,
                s.step,
                len(s),
                models[j].counter,
                models[j].family,
                str(models[j].settings),
            )
            groups.setdefault(key, []).append(j)
        for members in groups.values():
            _score_group(
                [series[usable[j]] for j in members], [models[j] for j in members],
                [usable[j] for j in members], refit_at, until, tuple(leads), sums,
            )  # fmt: skip
        refit_at = until
    for (i, lead), acc in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        report.scores.append(
            PointScore(
                point=i,
                entity=names[i],
                kind=kinds[i],
                lead=lead,
                count=int(acc[0]),
                abs_error=float(acc[1]),
                naive_abs_error=float(acc[2]),
                inside={c: int(acc[3 + k]) for k, c in enumerate(COVERAGES)},
            )
        )
    return report


def _score_group(
    series: list[PreparedSeries],
    models: list[FittedModel],
    points: list[int],
    first: datetime,
    last: datetime,
    leads: tuple[timedelta, ...],
    sums: dict[tuple[int, timedelta], list[float]],
) -> None:
    """Add the errors of forecasts from origins in [first, last) of one group (same grid)."""
    model = models[0]
    values = np.stack([model_values(s, model)[0] for s in series])
    _, grid = model_values(series[0], model)
    start = datetime.fromtimestamp(grid.start_ns / 1e9, first.tzinfo)
    step = series[0].step
    size = values.shape[1]
    lo = max(int(np.ceil((first - start) / step)), 0)
    hi = min(int(np.ceil((last - start) / step)), size)
    origins = np.arange(lo, hi)
    if origins.size == 0:
        return
    params = stack_params(models)
    settings = model._settings()
    m = grid.season
    for lead in leads:
        h = round(lead / step)
        keep = origins[origins + h < size]
        if keep.size == 0:
            continue
        targets = keep + h
        actual = values[:, targets]
        naive = values[:, targets - max(1, -(-h // m)) * m]
        naive = np.where((targets - max(1, -(-h // m)) * m >= 0)[None, :], naive, np.nan)
        if model.family is Family.SEASONAL_NAIVE:
            mean = naive
            q = params.quantiles[:, :, 0, -1]
            bounds = mean[:, None, :] + q[:, :, None]
        else:
            mean, bounds = rolling_rows(values, grid, params, settings, keep, np.array([h]))
        ok = np.isfinite(actual) & np.isfinite(mean) & np.isfinite(naive)
        err = np.where(ok, np.abs(actual - mean), 0.0).sum(1)
        nerr = np.where(ok, np.abs(actual - naive), 0.0).sum(1)
        inside = [
            (ok & (bounds[:, a] <= actual) & (actual <= bounds[:, b])).sum(1)
            for a, b in (_BOUNDS[c] for c in COVERAGES)
        ]
        for row, point in enumerate(points):
            acc = sums.setdefault((point, lead), [0.0] * (3 + len(COVERAGES)))
            acc[0] += ok[row].sum()
            acc[1] += err[row]
            acc[2] += nerr[row]
            for k in range(len(COVERAGES)):
                acc[3 + k] += inside[k][row]
