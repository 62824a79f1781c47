"""Stuck or flatlined sensors: no change where the point's own history and its peers change.

>>> import numpy as np
>>> flat_runs(np.array([1.0, 1.0, 1.0, 1.0, 2.0]), min_steps=3)
[(0, 4)]
"""

from __future__ import annotations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relation_model import Fitted
from graphtwin.behaviour.relations import SENSOR_KINDS, Relations
from graphtwin.behaviour.thresholds import Thresholds

RULE = "behaviour-stuck"
EPS = 1e-6


def flat_runs(values: np.ndarray, *, min_steps: int) -> list[tuple[int, int]]:
    """Runs of at least `min_steps` equal consecutive values (the first value of a run
    included)."""
    same = np.zeros(values.size, bool)
    same[1:] = np.abs(np.diff(values)) < EPS
    same[:-1] |= same[1:]
    return runs(same, min_steps=min_steps)


def detect_stuck(
    frame: Frame, relations: Relations, fitted: dict[str, Fitted], limits: Thresholds
) -> list[Episode]:
    found = []
    slot, per_day, h = frame.slot, frame.steps_per_day, frame.history
    for point in frame.ids:
        if point not in relations.points or relations.kind(point) not in SENSOR_KINDS:
            continue
        values = frame.column(point)
        flat = np.zeros(frame.steps, bool)
        for lo, hi in flat_runs(values, min_steps=limits.stuck_steps):
            flat[lo:hi] = True
        hist_share = np.bincount(slot[:h], weights=flat[:h], minlength=per_day) / np.maximum(
            np.bincount(slot[:h], minlength=per_day), 1
        )
        peers = [p for p in relations.peers(point) if p in frame]
        for lo, hi in flat_runs(values[h:], min_steps=limits.stuck_steps):
            lo, hi = lo + h, hi + h
            if not np.nanmin(values[:h]) < values[lo] < np.nanmax(values[:h]):
                continue  # saturated (a humidity at 100 %), not stuck
            share = float(hist_share[slot[lo:hi]].mean())
            if share > limits.stuck_history_flat:
                continue
            moving = _peers_moving(frame, peers, lo, hi)
            if peers and moving < 0.5:
                continue
            fit = fitted.get(point)
            expected = (
                float(np.nanmax(fit.predicted[lo:hi]) - np.nanmin(fit.predicted[lo:hi])) / fit.scale
                if fit is not None
                else np.inf
            )
            if expected < limits.stuck_expected_change:
                continue  # its relations did not expect it to move either
            found.append(
                Episode(
                    point,
                    RULE,
                    Cause.SENSOR,
                    lo,
                    hi,
                    lo + limits.stuck_steps - 1,
                    compared=tuple(peers),
                    evidence={
                        "expected_change_scales": round(expected, 2),
                        "value": float(values[lo]),
                        "flat_steps": hi - lo,
                        "history_flat_share": round(share, 3),
                        "peers_moving_share": round(moving, 3),
                    },
                    description=f"{point} stayed at {values[lo]:.4g} for {hi - lo} steps; "
                    f"its history was flat at those hours {share:.0%} of days",
                    strength=expected / limits.stuck_expected_change,
                )
            )
    return found


def _peers_moving(frame: Frame, peers: list[str], lo: int, hi: int) -> float:
    """The share of peers whose value changed during steps lo..hi."""
    if not peers:
        return 1.0
    moved = [np.nanmax(np.abs(np.diff(frame.column(p)[lo:hi]))) > EPS for p in peers]
    return float(np.mean(moved))
