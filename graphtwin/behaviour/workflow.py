"""`graphtwin behaviour detect`: read the points and their history, detect, record.

The points (and their relations) come from the twin (`cypher/behaviour/points.cypher`), under
`root` when given; their values from the history store, `history_days` before `start` (the
history window) to `end` (the evaluation window is `start` to `end`). Findings are recorded as
`behaviour` drift issues (drift.findings.record_findings, scoped to the points read): a finding
not yet open opens an issue, an open one no longer found resolves.

With a trained scorer (`scorer.Scorer`, `graphtwin behaviour train`), the detectors run at
lenient thresholds and an episode is reported when its learned score reaches the scorer's
threshold; without one, at the calibrated thresholds (`thresholds.CALIBRATED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from graphtwin.audit import AuditLog
from graphtwin.behaviour.detect import RULES, detect
from graphtwin.behaviour.episodes import Episode
from graphtwin.behaviour.findings import to_findings
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.scorer import LENIENT, Scorer, episode_features
from graphtwin.behaviour.thresholds import CALIBRATED, Thresholds
from graphtwin.drift.findings import Finding, Recorded, record_findings
from graphtwin.errors import InputError
from graphtwin.prediction.read_history import read_series
from graphtwin.prediction.series import prepare
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore


@dataclass(frozen=True, slots=True)
class Detection:
    points: int
    """Points read from the twin."""
    with_history: int
    """Of which had values in the window."""
    findings: list[Finding]
    recorded: Recorded | None
    """None for a dry run."""
    judged_by: str
    """The learned scorer (its threshold and runs) or the calibrated thresholds."""


def run_detection(
    store: TwinStore,
    history: HistoryStore,
    *,
    start: datetime,
    end: datetime,
    root: str | None = None,
    history_days: float = 14.0,
    step: timedelta = timedelta(minutes=15),
    utc_offset: timedelta = timedelta(0),
    dry_run: bool = False,
    audit: AuditLog | None = None,
    limits: Thresholds = CALIBRATED,
    scorer: Scorer | None = None,
) -> Detection:
    if end <= start:
        raise InputError(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    scope = store.scope(root=root) if root is not None else None
    rows = store.read("behaviour/points", ids=sorted(scope) if scope is not None else None)
    relations = Relations.from_rows(rows)
    raw = read_series(
        history, sorted(relations.points), start=start - timedelta(days=history_days), end=end
    )
    series = {p: prepare(r.times, r.values, step=step) for p, r in raw.items() if r.values.size > 0}
    findings: list[Finding] = []
    if series:
        frame = Frame.from_series(series, history_end=start, utc_offset=utc_offset)
        if frame.history < frame.steps:
            findings = to_findings(judge(frame, relations, limits, scorer), frame)
    recorded = None
    if not dry_run:
        recorded = record_findings(store, findings, set(RULES), audit, scope=set(relations.points))
    judged_by = (
        f"learned scorer (threshold {scorer.manifest.threshold:.3g}, trained on "
        f"{len(scorer.manifest.runs)} runs)"
        if scorer is not None
        else "calibrated thresholds (no trained scorer)"
    )
    return Detection(len(relations.points), len(series), findings, recorded, judged_by)


def judge(
    frame: Frame, relations: Relations, limits: Thresholds, scorer: Scorer | None
) -> list[Episode]:
    """The episodes reported: those reaching the scorer's threshold, from the detectors at
    lenient thresholds, or without a scorer the detectors' at `limits`."""
    if scorer is None:
        return detect(frame, relations, limits)
    episodes = detect(frame, relations, LENIENT)
    return scorer.keep(episodes, episode_features(frame, relations, episodes))
