"""Early warning: `predicted` drift issues before a threshold is crossed.

Each watched point (watched_points.py) is forecast over the horizon from its fresh model. When
the forecast crosses the point's threshold rule with at least `forecast_warning_probability`
(crossing.py: the expected time of the first crossing, and the probability of crossing at any
step of the horizon), a `predicted` issue opens on the point; its evidence holds the expected
crossing time, the probability, the bound, the model id and when the forecast was issued. It
escalates or eases with the severity of the bound it crosses, and resolves when a later forecast
no longer crosses. When the crossing really happens the sync opens a `threshold` issue, which
is linked to the open warning (`(:DriftIssue)-[:PREDICTED_BY]->(:DriftIssue)`,
cypher/drift/issues_open); the next watch resolves the warning as fulfilled and opens no new
one on the point while its threshold issue is open. Every transition is an audit record, as
for every drift issue (drift_opened, drift_changed, drift_resolved); a rule that ignores its
threshold gets no warnings.

>>> with TwinStore.open(settings) as store:  # doctest: +SKIP
...     run = early_warning(store, history, settings, watched, horizon=timedelta(hours=6),
...                         audit=audit)
>>> run.opened, run.resolved  # doctest: +SKIP
(1, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graphtwin.audit import AuditLog
from graphtwin.config import Settings
from graphtwin.drift.issues import DriftEvent, DriftType, Severity, Transition, issue_id
from graphtwin.drift.reconcile import Policy, reconcile
from graphtwin.prediction.crossing import threshold_crossing
from graphtwin.prediction.fit_models import FitRun, fit_points
from graphtwin.prediction.forecast import Forecast, predict_many
from graphtwin.prediction.fresh_model import FIT_STEP, ModelState
from graphtwin.prediction.store import points
from graphtwin.prediction.watched_points import WatchedPoint
from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import GraphWriter
from graphtwin.telemetry.history import HistoryStore

PREDICTED = str(DriftType.PREDICTED)
THRESHOLD = str(DriftType.THRESHOLD)


@dataclass(frozen=True, slots=True)
class ForecastWarning:
    """A forecast crossing: which bound, when it is expected, how likely within the horizon."""

    twin_id: str
    severity: Severity
    bound: str
    expected_at: datetime
    probability: float
    model_id: str
    issued_at: datetime

    def evidence(self, horizon: timedelta) -> dict[str, Any]:
        return {
            "expected_at": self.expected_at.isoformat(),
            "probability": round(self.probability, 4),
            "bound": self.bound,
            "model_id": self.model_id,
            "issued_at": self.issued_at.isoformat(),
            "horizon_s": horizon.total_seconds(),
        }

    def describe(self) -> str:
        return (
            f"forecast to cross the {self.severity} bound {self.bound} around "
            f"{self.expected_at.isoformat(timespec='minutes')} (p={self.probability:.2f})"
        )


@dataclass
class WatchRun:
    """What one early-warning pass found and did."""

    fits: FitRun
    warnings: list[ForecastWarning] = field(default_factory=list)
    events: list[DriftEvent] = field(default_factory=list)
    alerts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def count(self, transition: Transition) -> int:
        return sum(e.transition is transition for e in self.events)

    @property
    def opened(self) -> int:
        return self.count(Transition.OPENED)

    @property
    def resolved(self) -> int:
        return self.count(Transition.RESOLVED)

    @property
    def changed(self) -> int:
        return self.count(Transition.CHANGED)


def early_warning(
    store: TwinStore,
    history: HistoryStore,
    settings: Settings,
    watched: Mapping[str, WatchedPoint],
    *,
    horizon: timedelta,
    now: datetime | None = None,
    audit: AuditLog | None = None,
) -> WatchRun:
    """One pass: forecast every watched point, open, change and resolve `predicted` issues,
    write them and their audit records."""
    now = now or datetime.now(UTC)
    infos = [i for i in points(store, watched).values() if i.is_point]
    run = WatchRun(fit_points(store, history, settings, infos, now=now))
    open_rows = store.read("drift/issues_unresolved", types=[PREDICTED, THRESHOLD])
    predicted = {r["twin_id"]: r for r in open_rows if r["type"] == PREDICTED}
    crossed = {r["twin_id"]: r["issue_id"] for r in open_rows if r["type"] == THRESHOLD}
    at_ms = int(now.timestamp() * 1000)
    forecasts = _forecasts(run.fits.states, horizon)
    for state in run.fits.states:
        point = watched[state.point]
        forecast = forecasts.get(state.point)
        warning = None
        if forecast is not None and state.model is not None:
            warning = _warning(forecast, state.model.model_id, point,
                               settings.forecast_warning_probability)  # fmt: skip
            if warning is not None:
                run.warnings.append(warning)
        event = _transition(state.point, predicted.get(state.point), crossed.get(state.point),
                            forecast, warning, horizon, at_ms)  # fmt: skip
        if event is not None and point.strategy != "ignore":  # no issue to track: not even audited
            event.rule = point.rule
            run.events.append(event)
    policies = _policies(watched)
    done = reconcile(run.events, lambda rule: policies.get(rule, Policy("alert")))
    GraphWriter(store).write_batch([], [], done.open_rows, done.update_rows)
    if audit is not None:
        for kind, record in done.audit:
            audit.append(kind, record)
    run.alerts = done.alerts
    return run


def _forecasts(states: list[ModelState], horizon: timedelta) -> dict[str, Forecast]:
    """Each point's forecast over the horizon, all in one pass; a point whose model cannot
    forecast from its history (no model, the latest day missing) has none."""
    usable = [s for s in states if s.model is not None]
    found = predict_many([s.model for s in usable if s.model is not None],
                         [s.series for s in usable], horizon=horizon, step=FIT_STEP)  # fmt: skip
    return {s.point: f for s, f in zip(usable, found, strict=True) if isinstance(f, Forecast)}


def _warning(
    forecast: Forecast, model_id: str, point: WatchedPoint, probability: float
) -> ForecastWarning | None:
    """The most severe bound the forecast crosses with at least `probability`, if any."""
    found = threshold_crossing(forecast, point.thresholds, min_probability=probability)
    if found is None:
        return None
    return ForecastWarning(
        point.twin_id,
        Severity(found.severity or Severity.WARNING),
        f"{found.side} {found.bound:g}",
        _utc(found.at),
        found.probability,
        model_id,
        forecast.issued_at,
    )


def _utc(moment: np.datetime64) -> datetime:
    micros = int(np.datetime64(moment, "us").astype(np.int64))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def _transition(
    twin_id: str,
    open_issue: Mapping[str, Any] | None,
    threshold_issue: str | None,
    forecast: Forecast | None,
    warning: ForecastWarning | None,
    horizon: timedelta,
    at_ms: int,
) -> DriftEvent | None:
    if threshold_issue is not None:  # the crossing happened: the warning came true
        if open_issue is None:
            return None
        return DriftEvent(
            Transition.RESOLVED, DriftType.PREDICTED, twin_id, open_issue["issue_id"], at_ms,
            description=f"the crossing happened: threshold issue {threshold_issue}",
            evidence={"outcome": "crossed", "threshold_issue": threshold_issue},
        )  # fmt: skip
    if warning is None:
        if open_issue is None or forecast is None:  # no forecast: nothing new to say
            return None
        return DriftEvent(
            Transition.RESOLVED, DriftType.PREDICTED, twin_id, open_issue["issue_id"], at_ms,
            description="the latest forecast no longer crosses a threshold",
            evidence={"outcome": "no_longer_forecast", "model_id": forecast.model_id,
                      "issued_at": forecast.issued_at.isoformat()},
        )  # fmt: skip
    evidence = warning.evidence(horizon)
    if open_issue is None:
        return DriftEvent(
            Transition.OPENED, DriftType.PREDICTED, twin_id,
            issue_id(DriftType.PREDICTED, twin_id, at_ms), at_ms, warning.severity,
            warning.describe(), warning.probability, evidence=evidence,
        )  # fmt: skip
    if open_issue["severity"] == str(warning.severity):
        return None
    return DriftEvent(
        Transition.CHANGED, DriftType.PREDICTED, twin_id, open_issue["issue_id"], at_ms,
        warning.severity, warning.describe(), warning.probability, evidence=evidence,
    )  # fmt: skip


def _policies(watched: Mapping[str, WatchedPoint]) -> dict[str | None, Policy]:
    """Each rule's strategy; a warning is never `auto_corrected` (nothing was adopted), so
    that strategy investigates it."""
    return {
        p.rule: Policy("investigate" if p.strategy == "auto_correct" else p.strategy, p.webhook)
        for p in watched.values()
    }
