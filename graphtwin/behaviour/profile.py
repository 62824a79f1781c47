"""Equipment that behaves unlike its history at that time of day: a fan off where it (almost)
always ran (a trip), a setpoint nobody used at that hour (a setpoint change).

A setpoint is compared with every value its history had at that (day type, step of the day),
one step either side included; a fan status with the share of such history days it was on. A
change that at least half of the point's peers share at once is a building-wide schedule (a
holiday), not a change of this point, and is left out.
"""

from __future__ import annotations

import numpy as np

from graphtwin.behaviour.episodes import Cause, Episode, runs
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relations import Relations
from graphtwin.behaviour.thresholds import Thresholds
from graphtwin.prediction.kinds import PointKind

RULE = "behaviour-profile"
CHECKED = (PointKind.STATUS, PointKind.SETPOINT)


def detect_profile(frame: Frame, relations: Relations, limits: Thresholds) -> list[Episode]:
    h = frame.history
    checked = [p for p in frame.ids if p in relations.points and relations.kind(p) in CHECKED]
    unusual = {p: _unusual(frame, relations.kind(p), frame.column(p), limits) for p in checked}
    found = []
    for point in checked:
        off, expected = unusual[point]
        peers = [p for p in relations.peers(point) if p in unusual]
        if len(peers) >= 2:
            shared = np.sum([unusual[p][0] for p in peers], axis=0)
            off = off & (shared < 0.5 * len(peers))
        now = frame.column(point)[h:]
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
                    compared=tuple(peers),
                    evidence={"value": round(float(now[lo]), 4), "history": expected[lo]},
                    description=f"{point} at {now[lo]:.4g} where its history at that time of "
                    f"day was {expected[lo]}",
                )
            )
    return found


def _unusual(
    frame: Frame, kind: PointKind, values: np.ndarray, limits: Thresholds
) -> tuple[np.ndarray, list[str]]:
    """The judged steps where the point is unlike its history then, and what its history was."""
    h, per_day = frame.history, frame.steps_per_day
    slot, weekend = frame.slot, frame.weekend
    day_type = weekend.astype(int)[h:]
    now = values[h:]
    with np.errstate(invalid="ignore"):
        if kind is PointKind.STATUS:
            # a fan running when it did not (a cold night's heating) is the weather; one
            # stopped where it (almost) always ran is a trip
            share = _on_share(values[:h], slot[:h], weekend[:h], per_day)[day_type, slot[h:]]
            off = (now < 0.5) & (share >= limits.status_on_share)
            return off, [f"on {s:.0%} of such days" for s in share]
        low, high = _envelope(values[:h], slot[:h], weekend[:h], per_day)
        lo_now, hi_now = low[day_type, slot[h:]], high[day_type, slot[h:]]
        tolerance = limits.profile_tolerance
        off = (now < lo_now - tolerance) | (now > hi_now + tolerance)
        return off, [f"{a:.4g} to {b:.4g}" for a, b in zip(lo_now, hi_now, strict=True)]


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
