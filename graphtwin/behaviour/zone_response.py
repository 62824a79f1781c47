"""A zone that does not respond to its AHU stopping (a model error: it is fed by something
else): after its AHU's fans stop, its siblings warm or cool, it does not."""

from __future__ import annotations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-response"
AFTER = 4
"""Steps after the stop over which the change is measured."""


def responses(frame: Frame, status: str, zones: list[str]) -> dict[str, float]:
    """Each zone's median |change| over AFTER steps after the status goes from on to off."""
    on = frame.column(status) >= 0.5
    stops = np.flatnonzero(on[:-1] & ~on[1:]) + 1
    stops = stops[stops + AFTER < frame.steps]
    if stops.size < 3:
        return {}
    return {
        z: float(np.nanmedian(np.abs(frame.column(z)[stops + AFTER] - frame.column(z)[stops - 1])))
        for z in zones
    }


def detect_response(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    found = []
    for status in relations.of_kind(PointKind.STATUS):
        if status not in frame:
            continue
        zones = [
            p for p in relations.in_group_of_kind(status, PointKind.ZONE_TEMPERATURE) if p in frame
        ]
        if len(zones) < 3:
            continue
        change = responses(frame, status, zones)
        for zone, own in change.items():
            others = [v for z, v in change.items() if z != zone]
            typical = float(np.median(others))
            if typical < 0.3 or own >= limits.response_ratio * typical:
                continue
            found.append(
                Episode(
                    zone,
                    RULE,
                    Cause.MODEL,
                    frame.history,
                    frame.steps,
                    frame.history,
                    compared=(status, *[z for z in zones if z != zone]),
                    evidence={
                        "change_after_stop": round(own, 3),
                        "siblings_change_after_stop": round(typical, 3),
                    },
                    description=f"{zone} changes {own:.2f} after {status} stops, its siblings "
                    f"{typical:.2f}: fed by another AHU?",
                )
            )
    return found
