"""Points hung on the wrong parent (a model error): a zone's temperature that another zone's
points explain much better than its own zone's, or one of two points of a kind on one parent
that its parent's other points explain worse.

The fit is the out-of-sample R^2, on the history window, of the relation model of the point
from a parent's points and its group's (relation_model.fit_predict).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relation_model import fit_predict
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-parent"
CHECKED = (PointKind.ZONE_TEMPERATURE, PointKind.SUPPLY_TEMPERATURE)


def parent_r2(frame: Frame, relations: Relations, point: str, parent: str) -> float:
    """How well `parent`'s points (of other kinds) explain `point` on the history window."""
    kind = relations.kind(point)
    context = [
        p
        for p in relations.parent_context(parent, point)
        if p in frame and relations.kind(p) is not kind
    ]
    if not context:
        return float("-inf")
    matrix = np.column_stack([frame.column(p) for p in context])
    return fit_predict(matrix, frame.column(point), frame, final=False)[2]


def detect_parent(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    found = []
    h = frame.history
    by_parent_kind: dict[tuple[str, PointKind], list[str]] = defaultdict(list)
    fits: dict[str, float] = {}
    for point in frame.ids:
        info = relations.points.get(point)
        if info is None or info.kind not in CHECKED or info.parent is None:
            continue
        by_parent_kind[(info.parent, info.kind)].append(point)
        scores = {q: parent_r2(frame, relations, point, q) for q in relations.parents_like(point)}
        own = scores.get(info.parent, float("-inf"))
        fits[point] = own
        best = max(scores, key=lambda q: scores[q])
        gain = scores[best] - max(own, 0.0)
        if best != info.parent and gain > limits.parent_margin:
            episode = _episode(frame, point, h, own, best, scores[best])
            found.append(replace(episode, strength=gain / limits.parent_margin))
    for (parent, _kind), points in by_parent_kind.items():
        if len(points) > 1:
            worst = min(points, key=lambda p: fits[p])
            if not any(e.point == worst for e in found):
                found.append(_episode(frame, worst, h, fits[worst], None, None, parent=parent))
    return found


def _episode(
    frame: Frame,
    point: str,
    h: int,
    own: float,
    better: str | None,
    better_r2: float | None,
    parent: str | None = None,
) -> Episode:
    if better is not None:
        text = f"{point} follows {better}'s points (R^2 {better_r2:.2f}) better than its own " \
               f"parent's ({own:.2f}): on the wrong parent?"  # fmt: skip
    else:
        text = f"{point} is one of several points of its kind on {parent} and the one its " \
               f"parent's points explain worst (R^2 {own:.2f}): on the wrong parent?"  # fmt: skip
    return Episode(
        point,
        RULE,
        Cause.MODEL,
        h,
        frame.steps,
        h,
        compared=(better,) if better else (),
        evidence={
            "own_parent_r2": round(own, 3),
            "better_parent": better,
            "better_parent_r2": None if better_r2 is None else round(better_r2, 3),
        },
        description=text,
    )
