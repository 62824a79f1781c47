"""Swapped sensors: two points of one kind, both off their relations at once, whose values
fit each other's learned relation much better than their own."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relation_model import Fitted
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds

RULE = "behaviour-swap"


def detect_swaps(
    frame: Frame,
    relations: Relations,
    fitted: dict[str, Fitted],
    residual_episodes: list[Episode],
    limits: Thresholds,
) -> list[Episode]:
    """Swap episodes for pairs of residual episodes that overlap in time (both points)."""
    found = []
    for a, b in combinations(residual_episodes, 2):
        if a.point == b.point or relations.kind(a.point) is not relations.kind(b.point):
            continue
        if not a.overlaps(b):
            continue
        lo, hi = max(a.start, b.start), min(a.end, b.end)
        if hi - lo < 1:
            continue
        fa, fb = fitted[a.point], fitted[b.point]
        ya, yb = frame.column(a.point)[lo:hi], frame.column(b.point)[lo:hi]
        pa, pb = fa.predicted[lo:hi], fb.predicted[lo:hi]
        own = np.nanmean(np.abs(ya - pa) / fa.scale + np.abs(yb - pb) / fb.scale)
        swapped = np.nanmean(np.abs(yb - pa) / fa.scale + np.abs(ya - pb) / fb.scale)
        if not swapped < limits.swap_gain * own:
            continue
        for me, other in ((a, b), (b, a)):
            found.append(
                Episode(
                    me.point,
                    RULE,
                    Cause.SENSOR,
                    lo,
                    hi,
                    max(a.opened, b.opened),
                    compared=(other.point,),
                    evidence={
                        "error_own": round(float(own), 2),
                        "error_swapped": round(float(swapped), 2),
                        "swapped_with": other.point,
                    },
                    description=f"{me.point} and {other.point} fit each other's relations "
                    f"{own / max(swapped, 1e-9):.1f}x better than their own: swapped?",
                )
            )
    return found
