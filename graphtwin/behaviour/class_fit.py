"""Points whose behaviour contradicts their class (a model error): a "supply air temperature"
with a zone temperature's dynamics, an outdoor temperature that follows a zone.

Each point's dynamics on the history window become a few features (level, spread, daily
repetition, smoothness, how often it holds still, how it follows the outdoor temperature and
the fans); a point far from the other points of its class in the same building, and nearer
another class, is reported.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-class"
ALIKE = frozenset({PointKind.METER, PointKind.POWER})
"""Energy per step and power behave alike: neither contradicts the other."""
FEATURES = ("level", "log_spread", "daily_corr", "smoothness", "still_share", "outdoor_corr",
            "fan_corr")  # fmt: skip


def dynamics(frame: Frame, relations: Relations) -> dict[str, np.ndarray]:
    """Each point's feature vector (FEATURES) on the history window."""
    h, per_day = frame.history, frame.steps_per_day
    outdoor = [p for p in relations.of_kind(PointKind.OUTDOOR_TEMPERATURE) if p in frame]
    fans = [p for p in relations.of_kind(PointKind.STATUS) if p in frame]
    reference_out = frame.column(outdoor[0])[:h] if outdoor else None
    reference_fan = (
        np.nanmean(np.column_stack([frame.column(f)[:h] for f in fans]), axis=1) if fans else None
    )
    out = {}
    for point in frame.ids:
        x = frame.column(point)[:h]
        if np.isfinite(x).sum() < per_day * 2:
            continue
        std = float(np.nanstd(x))
        diff = np.diff(x)
        out[point] = np.array(
            [
                float(np.nanmedian(x)),
                np.log10(std + 1e-6),
                _corr(x[per_day:], x[:-per_day]),
                float(np.nanstd(diff)) / (std + 1e-9),
                float(np.nanmean(np.abs(diff) < 1e-6)),
                _corr(x, reference_out) if reference_out is not None else 0.0,
                _corr(x, reference_fan) if reference_fan is not None else 0.0,
            ]
        )
    return out


def detect_class(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    feats = dynamics(frame, relations)
    by_kind: dict[PointKind, list[str]] = defaultdict(list)
    for point in feats:
        if point in relations.points:
            by_kind[relations.kind(point)].append(point)
    if len(feats) < 3:
        return []
    matrix = np.array(list(feats.values()))
    spread = np.maximum(np.nanstd(matrix, axis=0), 1e-6)
    found = []
    for point, f in feats.items():
        if point not in relations.points:
            continue
        mine = relations.kind(point)
        distance = {}
        for kind, members in by_kind.items():
            others = [feats[m] for m in members if m != point]
            if not others:
                continue
            centre = np.median(np.array(others), axis=0)
            own_spread = np.maximum(
                np.std(np.array(others), axis=0) if len(others) > 1 else 0.0, 0.1 * spread
            )
            distance[kind] = float(np.sqrt(np.mean(((f - centre) / own_spread) ** 2)))
        if mine not in distance or len(distance) < 2:
            continue
        nearest = min(distance, key=lambda k: distance[k])
        if {nearest, mine} <= ALIKE or nearest is mine or distance[mine] < limits.class_distance:
            continue
        found.append(
            Episode(
                point,
                RULE,
                Cause.MODEL,
                frame.history,
                frame.steps,
                frame.history,
                compared=tuple(by_kind[nearest]),
                evidence={
                    "declared": str(mine),
                    "behaves_like": str(nearest),
                    "distance_declared": round(distance[mine], 2),
                    "distance_nearest": round(distance[nearest], 2),
                    **{n: round(float(v), 3) for n, v in zip(FEATURES, f, strict=True)},
                },
                description=f"{point} is labelled {mine} but behaves like {nearest} "
                f"({distance[mine]:.1f} spreads from its class, {distance[nearest]:.1f} from "
                f"{nearest})",
                strength=distance[mine] / limits.class_distance,
            )
        )
    return found


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.isfinite(a) & np.isfinite(b)
    if keep.sum() < 3 or np.std(a[keep]) < 1e-9 or np.std(b[keep]) < 1e-9:
        return 0.0
    return float(np.corrcoef(a[keep], b[keep])[0, 1])
