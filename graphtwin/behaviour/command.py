"""Equipment that does not respond to its command: a fan whose status says on while its
group's air flow is about zero, or the reverse."""

from __future__ import annotations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-command"


def detect_command(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    found = []
    h = frame.history
    for status in relations.of_kind(PointKind.STATUS):
        if status not in frame:
            continue
        flows = [p for p in relations.in_group_of_kind(status, PointKind.FLOW) if p in frame]
        on = frame.column(status) >= 0.5
        ignored = np.zeros(frame.steps, bool)
        evidence: dict[str, float] = {}
        for flow in flows:
            values = frame.column(flow)
            running = values[:h][on[:h]]
            if running.size < 4 or not np.isfinite(running).any():
                continue
            level = 0.05 * float(np.nanmedian(running))
            if level <= 0:
                continue
            with np.errstate(invalid="ignore"):
                ignored |= (on & (values < level)) | (~on & (values > 4 * level))
            evidence[f"{flow} when running"] = round(float(np.nanmedian(running)), 4)
        for lo, hi in runs(ignored[h:], min_steps=limits.command_steps, merge_gap=1):
            lo, hi = lo + h, hi + h
            said = "on" if on[lo] else "off"
            now = {f: round(float(frame.column(f)[lo]), 4) for f in flows}
            found.append(
                Episode(
                    status,
                    RULE,
                    Cause.BEHAVIOUR,
                    lo,
                    hi,
                    lo + limits.command_steps - 1,
                    compared=tuple(flows),
                    evidence={
                        "status": float(frame.column(status)[lo]),
                        **evidence,
                        **{f"{f} now": v for f, v in now.items()},
                    },
                    description=f"{status} says {said} but the flows are {now}",
                )
            )
    return found
