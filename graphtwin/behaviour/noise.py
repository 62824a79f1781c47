"""Noisy sensors: rougher over an hour than the point ever was on its history window.

Roughness is the zigzag of the values, averaged over a rolling hour: at each step, when the
change before it and the change after it have opposite signs, the smaller of the two; else 0.
A step change, a start-up or a trip moves one way and adds nothing; noise zigzags all the time.

>>> import numpy as np
>>> zigzag(np.array([0.0, 1.0, 0.0, 1.0, 2.0, 3.0])).tolist()
[0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import SENSOR_KINDS, Relations
from graphtwin.behaviour.thresholds import Thresholds

RULE = "behaviour-noise"


def zigzag(values: np.ndarray) -> np.ndarray:
    """At each step, min(|change before|, |change after|) where they have opposite signs."""
    out = np.zeros(values.size)
    if values.size < 3:
        return out
    before, after = np.diff(values)[:-1], np.diff(values)[1:]
    turning = before * after < 0
    out[1:-1] = np.where(turning, np.minimum(np.abs(before), np.abs(after)), 0.0)
    return np.nan_to_num(out)


def roughness(values: np.ndarray, window: int) -> np.ndarray:
    """Mean zigzag over the `window` steps ending at each step (NaN before)."""
    out = np.full(values.size, np.nan)
    if values.size >= window:
        out[window - 1 :] = sliding_window_view(zigzag(values), window).mean(axis=1)
    return out


def detect_noise(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    window = max(frame.steps_per_day // 24, 3)
    h = frame.history
    found = []
    ratios = {}
    for point in frame.ids:
        if point not in relations.points or relations.kind(point) not in SENSOR_KINDS:
            continue
        rough = roughness(frame.column(point), window)
        highest = np.nanmax(rough[:h]) if np.isfinite(rough[:h]).any() else np.nan
        if np.isfinite(highest):
            ratios[point] = (rough, highest, max(highest * limits.noise_ratio, 1e-3))
    for point, (rough, highest, level) in ratios.items():
        with np.errstate(invalid="ignore"):
            mask = rough[h:] > level
            # peers rougher than ever at the same time: the building (a lunch hour's latent
            # load, a heat pump's defrost), not one sensor
            peers = [p for p in relations.peers(point) if p in ratios]
            together = sum(ratios[p][0][h:] > ratios[p][2] for p in peers)
        if peers:
            mask &= np.asarray(together) < 1
        for lo, hi in runs(mask, min_steps=2, merge_gap=window):
            lo, hi = lo + h, hi + h
            found.append(
                Episode(
                    point,
                    RULE,
                    Cause.SENSOR,
                    max(lo - window + 1, h),
                    hi,
                    lo + 1,
                    evidence={
                        "roughness": round(float(np.nanmax(rough[lo:hi])), 4),
                        "history_highest": round(float(highest), 4),
                    },
                    description=f"{point} is {np.nanmax(rough[lo:hi]) / highest:.1f}x rougher "
                    "than it ever was on its history window",
                    strength=float(np.nanmax(rough[lo:hi])) / level,
                )
            )
    return found
