"""Swapped sensors: a point off its relation whose values, exchanged with a peer's of the same
kind, fit both points' learned relations much better than they fit their own."""

from __future__ import annotations

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
    """Swap episodes (one on each point of the pair) for residual episodes whose point, swapped
    with a peer over the episode, fits both relations better."""
    found: list[Episode] = []
    done: set[tuple[str, str, int]] = set()
    for e in residual_episodes:
        best = None
        for peer in relations.peers(e.point):
            if peer not in fitted:
                continue
            own, swapped = _errors(frame, fitted[e.point], fitted[peer], e.start, e.end)
            if not np.isfinite(own) or own <= 0:
                continue
            if swapped < limits.swap_gain * own and (best is None or swapped / own < best[0]):
                best = (swapped / own, peer, own, swapped)
        if best is None:
            continue
        _, peer, own, swapped = best
        pair = tuple(sorted((e.point, peer)))
        if (pair[0], pair[1], e.start) in done:
            continue
        done.add((pair[0], pair[1], e.start))
        for me, other in ((e.point, peer), (peer, e.point)):
            found.append(
                Episode(
                    me,
                    RULE,
                    Cause.SENSOR,
                    e.start,
                    e.end,
                    e.opened,
                    compared=(other,),
                    evidence={
                        "error_own": round(own, 2),
                        "error_swapped": round(swapped, 2),
                        "swapped_with": other,
                    },
                    description=f"{me} and {other} fit each other's relations "
                    f"{own / max(swapped, 1e-9):.1f}x better than their own: swapped?",
                    strength=limits.swap_gain * own / max(swapped, 1e-9),
                )
            )
    return found


def _errors(frame: Frame, a: Fitted, b: Fitted, lo: int, hi: int) -> tuple[float, float]:
    """Mean scaled errors of the two points as they are, and exchanged, over the steps of lo..hi
    where the first is off its relation (more than 2 scales); NaN when the second is not off
    its relation as much the other way."""
    off = np.abs(a.z[lo:hi]) > 2.0
    if not off.any():
        return float("nan"), float("nan")
    ya, yb = frame.column(a.point)[lo:hi][off], frame.column(b.point)[lo:hi][off]
    pa, pb = a.predicted[lo:hi][off], b.predicted[lo:hi][off]
    ra, rb = np.nanmedian(ya - pa), np.nanmedian(yb - pb)
    if not (ra * rb < 0 and 0.5 <= abs(rb) / max(abs(ra), 1e-9) <= 2.0):
        # a swap puts both off their relations, as much, the opposite ways (a peer only
        # dragged along by a faulty one is off less)
        return float("nan"), float("nan")
    own = np.nanmean(np.abs(ya - pa) / a.scale + np.abs(yb - pb) / b.scale)
    swapped = np.nanmean(np.abs(yb - pa) / a.scale + np.abs(ya - pb) / b.scale)
    return float(own), float(swapped)
