"""`graphtwin forecast fit`: fit the forecast models of the points under a root and store them.

A point's stored model is kept while it is fresh and refit when it is due or its error grew
(refit.py); `force` refits every one. A point with too little history keeps whatever model it
had and is reported with how much history it has and how much it needs.

>>> with TwinStore.open(settings) as store:  # doctest: +SKIP
...     done = fit_models(store, HistoryStore(folder), settings, root="urn:office")
>>> [(s.point, s.refit) for s in done.states]  # doctest: +SKIP
[('urn:office:zone-1-temp', 'no stored model'), ...]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graphtwin.config import Settings
from graphtwin.prediction.fresh_model import ModelState, fresh_models
from graphtwin.prediction.read_history import read_known_at
from graphtwin.prediction.store import PointInfo, load_models, points_under, save_models
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore


@dataclass(frozen=True, slots=True)
class FitRun:
    """What a fit run did: each point's model state, and how many models it stored."""

    states: list[ModelState]
    stored: int
    fitted_at: datetime

    @property
    def refit(self) -> list[ModelState]:
        return [s for s in self.states if s.fitted_now]

    @property
    def kept(self) -> list[ModelState]:
        return [s for s in self.states if s.model is not None and s.refit is None]

    @property
    def short(self) -> list[ModelState]:
        return [s for s in self.states if s.model is None]


def fit_models(
    store: TwinStore,
    history: HistoryStore,
    settings: Settings,
    *,
    root: str | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> FitRun:
    """Fit (or keep) the model of every live point under `root` (the whole twin when None)."""
    return fit_points(store, history, settings, points_under(store, root), now=now, force=force)


def fit_points(
    store: TwinStore,
    history: HistoryStore,
    settings: Settings,
    infos: Sequence[PointInfo],
    *,
    now: datetime | None = None,
    force: bool = False,
) -> FitRun:
    """Fit (or keep) the models of `infos`, store the ones fitted now, answer every state."""
    now = now or datetime.now(UTC)
    ids = [i.twin_id for i in infos]
    stored = load_models(store, ids)
    raw = read_known_at(history, ids, now=now, days=settings.forecast_history_days)
    states = fresh_models(infos, stored, raw, now=now, settings=settings, force=force)
    fitted = [(s.point, s.model) for s in states if s.fitted_now and s.model is not None]
    written = save_models(
        store, fitted, fitted_at=now, refit_after_s=settings.forecast_refit_after_s
    )
    return FitRun(states, written, now)
