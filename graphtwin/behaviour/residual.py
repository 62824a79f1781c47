"""Offset, drifting and swapped-looking sensors: a point whose residual from the relation to its
related points (relation_model) shifts.

The statistic is the shift of the residual's mean: the mean over the next `after` steps less the
mean over the `before` steps just before (an hour against two hours, and four hours against
four for slow drifts). A slow bias (the weather moving the relation a little) cancels out; an
offset, a swap or a ramp shows as a shift. It alarms when the shift is more than `shift_ratio`
times the largest the point showed on its history window (out of sample), and at least
MIN_SHIFT in the point's unit.

>>> import numpy as np
>>> shift(np.r_[np.zeros(12), np.ones(8)], before=8, after=4).round(2)[11:16].tolist()
[0.0, 0.25, 0.5, 0.75, 1.0]
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relation_model import MIN_SHIFT, Fitted
from graphtwin.behaviour.relations import SENSOR_KINDS, Relations
from graphtwin.behaviour.thresholds import Thresholds

RULE = "behaviour-residual"
LONG = (16, 16)
"""The second window pair (before, after): four hours against four."""


def shift(z: np.ndarray, *, before: int, after: int) -> np.ndarray:
    """At each step t: mean(z[t : t + after]) - mean(z[t - before : t]); NaN where a window
    does not fit. Reported at t + after - 1, when the last value it needs is known."""
    out = np.full(z.size, np.nan)
    if z.size < before + after:
        return out
    zz = np.nan_to_num(z)
    ahead = sliding_window_view(zz, after).mean(axis=1)  # ahead[i] = mean z[i : i + after]
    behind = sliding_window_view(zz, before).mean(axis=1)  # behind[i] = mean z[i : i + before]
    t = np.arange(before, z.size - after + 1)
    out[t + after - 1] = ahead[t] - behind[t - before]
    return out


def detect_residual(
    frame: Frame, relations: Relations, fitted: dict[str, Fitted], limits: Thresholds
) -> list[Episode]:
    h = frame.history
    found = []
    for point, fit in fitted.items():
        if fit.r2 < limits.min_r2:
            continue  # a relation that does not explain the point cannot judge it
        floor = MIN_SHIFT.get(relations.kind(point), 0.0) / fit.scale
        ratio = np.full(frame.steps, np.nan)
        largest_of = {}
        for before, after in ((limits.shift_before, limits.shift_after), LONG):
            # an hour after against two before (an offset, a swap), and four against four (a
            # slow drift)
            moved = shift(fit.z, before=before, after=after)
            history = np.abs(moved[:h])
            if not np.isfinite(history).any():
                continue
            largest = max(float(np.nanmax(history)), 1e-9)
            largest_of[after] = largest
            level = max(largest * limits.shift_ratio, limits.shift_floor, floor)
            ratio = np.fmax(ratio, np.abs(moved) / level)
        # never judged where the relation meets conditions its history never held (a cold
        # snap, a heating season's supply temperature)
        ratio[fit.novel] = np.nan
        if not largest_of:
            continue
        moved = shift(fit.z, before=limits.shift_before, after=limits.shift_after)
        largest = largest_of.get(limits.shift_after, max(largest_of.values()))
        after = limits.shift_after
        with np.errstate(invalid="ignore"):
            alarm = ratio[h:] > 1.0
        for lo, hi in runs(alarm, min_steps=1, merge_gap=after):
            first = lo + h - after + 1  # where the shifted window starts
            part = moved[lo + h : hi + h]
            size = float(part[np.nanargmax(np.abs(part))]) if np.isfinite(part).any() else 0.0
            kind = relations.kind(point)
            cause = Cause.SENSOR if kind in SENSOR_KINDS else Cause.BEHAVIOUR
            found.append(
                Episode(
                    point,
                    RULE,
                    cause,
                    max(first, h),
                    hi + h,
                    lo + h,
                    compared=fit.features,
                    evidence={
                        "shift": round(size * fit.scale, 3),
                        "history_largest_shift": round(largest * fit.scale, 3),
                        "residual_scale": round(fit.scale, 4),
                        "history_r2": round(fit.r2, 3),
                    },
                    description=f"{point} moved {size * fit.scale:+.3g} off its relation to "
                    f"{len(fit.features)} related points ({abs(size) / largest:.1f}x the "
                    "largest shift of its history)",
                    strength=float(np.nanmax(ratio[lo + h : hi + h])),
                )
            )
    return found
