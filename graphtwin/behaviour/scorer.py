"""A learned score over the detectors' episodes: which of them are faults.

The detectors run at lenient thresholds (`LENIENT`), where they find most faults but also the
heavy tail of a sound building's behaviour. Each episode is described by `FEATURES` (its rule,
how far past its lenient threshold, how long, the point's kind and relation, what else is off
at the same time, the time of day and the weather against the history's), and a gradient
boosted classifier (scikit-learn) trained on labelled runs gives it a probability of being a
fault. An episode is reported when its score reaches the scorer's threshold, chosen on clean
runs for a false-alarm budget (`threshold_for_budget`).

>>> import numpy as np
>>> scores = np.array([0.1, 0.2, 0.9])  # one false alarm allowed in 1,000 point-days
>>> round(threshold_for_budget(scores, point_days=1000.0, budget=1.0), 6)
0.2
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import LeaveOneGroupOut
from threadpoolctl import threadpool_limits

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.errors import InputError
from graphtwin.prediction.kinds import PointKind

LENIENT = Thresholds(
    shift_ratio=1.0, shift_floor=2.0, noise_ratio=1.5, stuck_expected_change=2.0,
    class_distance=2.0, parent_margin=0.05, swap_gain=0.7,
)  # fmt: skip
"""The thresholds the detectors run at before the score: low enough to find most faults."""

RULE_CODES = (
    "behaviour-stuck", "behaviour-noise", "behaviour-residual", "behaviour-swap",
    "behaviour-profile", "behaviour-command", "behaviour-class", "behaviour-parent",
    "behaviour-response",
)  # fmt: skip
KIND_CODES = tuple(PointKind)
CAUSE_CODES = tuple(Cause)
FEATURES = (
    "rule", "cause", "kind", "log_strength", "steps", "open_after", "history_r2",
    "residual_scale", "related_off", "group_off", "points_off", "same_point_rules",
    "hour", "weekend", "outdoor", "outdoor_outside_history", "group_fans_on",
)  # fmt: skip
"""What describes an episode; the first three are categories (codes in the tuples above)."""
CATEGORICAL = (0, 1, 2)
MODEL_FILE = "scorer.joblib"
MANIFEST_FILE = "manifest.json"


class ScorerFileError(InputError):
    """A stored scorer that cannot be read (missing, or for other features)."""


def episode_features(frame: Frame, relations: Relations, episodes: Sequence[Episode]) -> np.ndarray:
    """One row of `FEATURES` per episode (NaN where a feature does not apply)."""
    rows = np.full((len(episodes), len(FEATURES)), np.nan)
    if not episodes:
        return rows
    slot, weekend = frame.slot, frame.weekend
    outdoor = _outdoor(frame, relations)
    history = outdoor[: frame.history] if outdoor is not None else None
    low = float(np.nanmin(history)) if history is not None and np.isfinite(history).any() else None
    high = float(np.nanmax(history)) if history is not None and np.isfinite(history).any() else None
    starts = np.array([e.start for e in episodes])
    ends = np.array([e.end for e in episodes])
    points = np.array([e.point for e in episodes])
    for i, e in enumerate(episodes):
        info = relations.points.get(e.point)
        at = min(e.opened, frame.steps - 1)
        together = (starts <= e.end) & (ends >= e.start)
        overlapping = [episodes[j] for j in np.flatnonzero(together & (points != e.point))]
        same = [episodes[j] for j in np.flatnonzero(together & (points == e.point))]
        related = set(relations.context(e.point)) | set(relations.peers(e.point)) if info else set()
        group = info.group if info else None
        fans = _fans_on(frame, relations, group, at)
        out = outdoor[at] if outdoor is not None else math.nan
        outside = (
            max(low - out, out - high, 0.0)
            if low is not None and high is not None and np.isfinite(out)
            else math.nan
        )
        rows[i] = (
            RULE_CODES.index(e.rule) if e.rule in RULE_CODES else len(RULE_CODES),
            CAUSE_CODES.index(e.cause),
            KIND_CODES.index(info.kind) if info else len(KIND_CODES),
            math.log(max(e.strength, 1e-6)),
            e.end - e.start,
            e.opened - e.start,
            float(e.evidence.get("history_r2", math.nan)),
            float(e.evidence.get("residual_scale", math.nan)),
            len({o.point for o in overlapping if o.point in related}),
            len(
                {
                    o.point
                    for o in overlapping
                    if group is not None and _group(relations, o.point) == group
                }
            ),
            len({o.point for o in overlapping}),
            len({o.rule for o in same}),
            slot[at] * frame.step.total_seconds() / 3600,
            float(weekend[at]),
            out,
            outside,
            fans,
        )
    return rows


def _outdoor(frame: Frame, relations: Relations) -> np.ndarray | None:
    for point in relations.of_kind(PointKind.OUTDOOR_TEMPERATURE):
        if point in frame:
            return frame.column(point)
    return None


def _group(relations: Relations, point: str) -> str | None:
    info = relations.points.get(point)
    return info.group if info else None


def _fans_on(frame: Frame, relations: Relations, group: str | None, at: int) -> float:
    """The share of the group's status points that are on at step `at` (NaN: none)."""
    statuses = [
        p for p in relations.in_group(group) if relations.kind(p) is PointKind.STATUS and p in frame
    ]
    values = [frame.column(p)[at] for p in statuses]
    values = [v for v in values if np.isfinite(v)]
    return float(np.mean([v > 0.5 for v in values])) if values else math.nan


def threshold_for_budget(scores: np.ndarray, *, point_days: float, budget: float) -> float:
    """The lowest score threshold at which at most `budget` of the clean episodes' `scores`
    per 1,000 point-days reach it."""
    allowed = math.floor(budget * point_days / 1000)
    ranked = np.sort(scores)[::-1]
    if ranked.size <= allowed:
        return 0.0
    return float(ranked[allowed]) + 1e-7


@dataclass(frozen=True, slots=True)
class Manifest:
    features: tuple[str, ...]
    threshold: float
    """Episodes scoring at least this are reported."""
    budget: float
    """False alarms per 1,000 point-days the threshold was chosen for."""
    runs: tuple[str, ...]
    """The labelled runs it was trained on."""
    episodes: int
    positives: int
    lenient: dict[str, float]


@dataclass(slots=True)
class Scorer:
    model: HistGradientBoostingClassifier
    manifest: Manifest

    def score(self, rows: np.ndarray) -> np.ndarray:
        return predict(self.model, rows)

    def keep(self, episodes: Sequence[Episode], rows: np.ndarray) -> list[Episode]:
        """The episodes that reach the threshold, their score in the evidence."""
        scores = self.score(rows)
        return [
            _scored(e, float(s))
            for e, s in zip(episodes, scores, strict=True)
            if s >= self.manifest.threshold
        ]

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.model, folder / MODEL_FILE)
        (folder / MANIFEST_FILE).write_text(json.dumps(asdict(self.manifest), indent=2) + "\n")
        return folder

    @classmethod
    def load(cls, folder: Path) -> Scorer:
        manifest_path = folder / MANIFEST_FILE
        if not manifest_path.is_file() or not (folder / MODEL_FILE).is_file():
            raise ScorerFileError(f"{folder}: no {MANIFEST_FILE} and {MODEL_FILE} (train first)")
        raw: dict[str, Any] = json.loads(manifest_path.read_text())
        if tuple(raw.get("features", ())) != FEATURES:
            raise ScorerFileError(
                f"{manifest_path}: trained on features {raw.get('features')}, "
                f"this version computes {list(FEATURES)}: train again"
            )
        manifest = Manifest(**{**raw, "features": FEATURES, "runs": tuple(raw["runs"])})
        return cls(joblib.load(folder / MODEL_FILE), manifest)


def fit_model(
    rows: np.ndarray, labels: np.ndarray, seed: int = 0
) -> HistGradientBoostingClassifier:
    """A gradient boosted classifier of fault (1) against false alarm (0)."""
    model = HistGradientBoostingClassifier(
        categorical_features=list(CATEGORICAL),
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        random_state=seed,
    )
    with threadpool_limits(1):  # small data: OpenMP threads only contend on a busy machine
        return model.fit(rows, labels)


def predict(model: HistGradientBoostingClassifier, rows: np.ndarray) -> np.ndarray:
    """Each row's probability of being a fault."""
    if rows.shape[0] == 0:
        return np.zeros(0)
    with threadpool_limits(1):
        return np.asarray(model.predict_proba(rows)[:, 1])


def _scored(e: Episode, score: float) -> Episode:
    return Episode(
        e.point, e.rule, e.cause, e.start, e.end, e.opened, e.compared,
        {**e.evidence, "score": round(score, 4)}, e.description, e.strength,
    )  # fmt: skip


def leave_one_group_out(groups: Sequence[Any]) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """(group, training rows, held-out rows) for each group: the held-out rows are that group's,
    the training rows every other group's."""
    labels = np.asarray([str(g) for g in groups])
    out = []
    for train, test in LeaveOneGroupOut().split(labels, groups=labels):
        out.append((groups[int(test[0])], train, test))
    return out


def out_of_fold_scores(
    rows: np.ndarray, labels: np.ndarray, groups: Sequence[Any], seed: int = 0
) -> np.ndarray:
    """Each row's score by a model trained on the other groups' rows (NaN where those hold
    only one class)."""
    oof = np.full(len(rows), np.nan)
    for _group, train, test in leave_one_group_out(groups):
        if labels[train].any() and not labels[train].all():
            oof[test] = predict(fit_model(rows[train], labels[train], seed), rows[test])
    return oof


def fit_for_budget(
    rows: np.ndarray,
    labels: np.ndarray,
    groups: Sequence[Any],
    clean: np.ndarray,
    point_days: float,
    *,
    budget: float,
    runs: Sequence[str],
    seed: int = 0,
) -> Scorer:
    """A scorer trained on all `rows`, its threshold chosen on scores the rows' own model never
    saw: each group's clean rows (`clean`, episodes of fault-free runs spanning `point_days` in
    all) scored by a model trained on the other groups, and the threshold the lowest that keeps
    them within `budget` per 1,000 point-days."""
    oof = out_of_fold_scores(rows, labels, groups, seed)
    scored = clean & np.isfinite(oof)
    threshold = threshold_for_budget(oof[scored], point_days=point_days, budget=budget)
    manifest = Manifest(
        FEATURES, threshold, budget, tuple(runs), len(rows), int(labels.sum()),
        {k: float(v) for k, v in asdict(LENIENT).items()},
    )  # fmt: skip
    return Scorer(fit_model(rows, labels, seed), manifest)
