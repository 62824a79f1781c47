"""The cause class of each episode, from what else happened at the same time.

A detector gives a first cause (a temperature off its relation: sensor; a fan off its
schedule: behaviour). A sensor episode that coincides with a behaviour episode in its group,
or with sensor episodes on several other points at once, is the building changing, not the
sensor: its cause becomes behaviour.
"""

from __future__ import annotations

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.relations import Relations

TOGETHER = 3
"""Sensor episodes on this many other points at once are one change in behaviour."""


def assign_causes(episodes: list[Episode], relations: Relations, slack: int = 2) -> list[Episode]:
    behaviour = [e for e in episodes if e.cause is Cause.BEHAVIOUR]
    sensor = [e for e in episodes if e.cause is Cause.SENSOR]
    out = []
    for e in episodes:
        if e.cause is not Cause.SENSOR:
            out.append(e)
            continue
        group = _group(relations, e.point)
        with_equipment = [
            b.point
            for b in behaviour
            if _group(relations, b.point) == group and e.overlaps(b, slack)
        ]
        if with_equipment:
            out.append(e.with_cause(Cause.BEHAVIOUR, f"at the same time as {with_equipment[0]}"))
            continue
        others = {s.point for s in sensor if s.point != e.point and e.overlaps(s, slack)}
        if len(others) >= TOGETHER and e.rule != "behaviour-swap":
            out.append(e.with_cause(Cause.BEHAVIOUR, f"with {len(others)} other points at once"))
            continue
        out.append(e)
    return out


def _group(relations: Relations, point: str) -> str | None:
    info = relations.points.get(point)
    return info.group if info else None
