"""Equipment that behaves unlike its history at that time of day: a fan off when it always ran
(a trip), a setpoint nobody ever used at that hour (a setpoint change), power or flow outside
every value its history had at that hour of that kind of day.

The history of each (day type, step of the day) is the set of values seen then, one step either
side included; a value off all of them by more than the tolerance is flagged.
"""

from __future__ import annotations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-profile"
DISCRETE = (PointKind.STATUS, PointKind.SETPOINT)
ENVELOPE: tuple[PointKind, ...] = ()


def detect_profile(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    found = []
    h, per_day = frame.history, frame.steps_per_day
    slot, weekend = frame.slot, frame.weekend
    for point in frame.ids:
        kind = relations.kind(point) if point in relations.points else None
        if kind not in DISCRETE and kind not in ENVELOPE:
            continue
        values = frame.column(point)
        low, high = _envelope(values[:h], slot[:h], weekend[:h], per_day)
        day_type = weekend.astype(int)
        lo_now, hi_now = low[day_type[h:], slot[h:]], high[day_type[h:], slot[h:]]
        if kind in DISCRETE:
            tolerance = limits.profile_tolerance
        else:
            spread = np.nanmax(values[:h]) - np.nanmin(values[:h])
            tolerance = 0.25 * spread if np.isfinite(spread) else np.inf
        now = values[h:]
        with np.errstate(invalid="ignore"):
            if kind is PointKind.STATUS:
                # a fan running when it did not (a cold night's heating) is the weather; one
                # stopped when it (almost) always ran is a trip
                share = _on_share(values[:h], slot[:h], weekend[:h], per_day)
                off = (now < 0.5) & (share[day_type[h:], slot[h:]] >= limits.status_on_share)
            else:
                off = (now < lo_now - tolerance) | (now > hi_now + tolerance)
        off &= ~_building_wide(frame, relations, point, kind, low, high, tolerance)
        for lo, hi in runs(off, min_steps=limits.profile_steps, merge_gap=1):
            first = lo + h
            found.append(
                Episode(
                    point,
                    RULE,
                    Cause.BEHAVIOUR,
                    first,
                    hi + h,
                    first + limits.profile_steps - 1,
                    evidence={
                        "value": round(float(now[lo]), 4),
                        "history_low": round(float(lo_now[lo]), 4),
                        "history_high": round(float(hi_now[lo]), 4),
                        "tolerance": round(float(tolerance), 4),
                    },
                    description=f"{point} at {now[lo]:.4g} where its history at that time of "
                    f"day was {lo_now[lo]:.4g} to {hi_now[lo]:.4g}",
                )
            )
    return found


def _building_wide(
    frame: Frame,
    relations: Relations,
    point: str,
    kind: PointKind,
    low: np.ndarray,
    high: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """Steps at which most other points of the kind leave their own history too: a
    building-wide schedule (a holiday), not a change of this point."""
    h = frame.history
    peers = [p for p in relations.peers(point) if p in frame]
    if len(peers) < 2:
        return np.zeros(frame.steps - h, bool)
    day_type, slot = frame.weekend.astype(int)[h:], frame.slot[h:]
    leaving = np.zeros(frame.steps - h)
    for peer in peers:
        values = frame.column(peer)
        lo, hi = _envelope(values[:h], frame.slot[:h], frame.weekend[:h], frame.steps_per_day)
        now = values[h:]
        with np.errstate(invalid="ignore"):
            leaving += (now < lo[day_type, slot] - tolerance) | (
                now > hi[day_type, slot] + tolerance
            )
    return leaving >= 0.75 * len(peers)


def _on_share(
    values: np.ndarray, slot: np.ndarray, weekend: np.ndarray, per_day: int
) -> np.ndarray:
    """Per (day type, slot): the share of history days the status was on there, the lowest of
    the slot and its two neighbours."""
    on = np.isfinite(values) & (values >= 0.5)
    share = np.ones((2, per_day))
    for shift in (-1, 0, 1):
        s = (slot + shift) % per_day
        for day_type in (0, 1):
            pick = weekend == bool(day_type)
            seen = np.bincount(s[pick], minlength=per_day)
            count = np.bincount(s[pick], weights=on[pick], minlength=per_day)
            here = np.where(seen > 0, count / np.maximum(seen, 1), 0.0)
            share[day_type] = np.minimum(share[day_type], here)
    return share


def _envelope(
    values: np.ndarray, slot: np.ndarray, weekend: np.ndarray, per_day: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest value per (day type, slot), a slot either side included; a day type
    the history lacks takes the other's."""
    low = np.full((2, per_day), np.inf)
    high = np.full((2, per_day), -np.inf)
    finite = np.isfinite(values)
    for shift in (-1, 0, 1):
        s = (slot + shift) % per_day
        for day_type in (0, 1):
            pick = finite & (weekend == bool(day_type))
            np.minimum.at(low[day_type], s[pick], values[pick])
            np.maximum.at(high[day_type], s[pick], values[pick])
    for day_type in (0, 1):
        if not np.isfinite(low[day_type]).any():
            low[day_type], high[day_type] = low[1 - day_type], high[1 - day_type]
    return low, high
