"""Early warnings on the fault runs: forecast every 15 minutes, warn when a threshold crossing
within the horizon becomes likely enough, and score the warnings against the real crossings.

The rule is the one an operator of an office sets first, written here once for every run: the
zone air temperature must stay within the EN 16798-1 category II office range, 20-26 degC,
during occupancy (working days 07:00-19:00 local; the same rule and hours as
`python -m benchmarks simulation`), in the zones people work in (not the small office's
attic). Supply air temperature limits are left out on purpose: a VAV system supplies
12.8-15.6 degC and the small office's packaged units heat at up to 40 degC, so one supply rule
for both would be tuning per building.

- A **crossing** is a step where the rule holds and the value is outside while at the step
  before it was inside (or the rule did not hold: a zone still cold at 07:00 crosses then).
- At each origin (every step of the evaluation window) the point's model (refit daily, on the
  values up to its refit time) forecasts the next `HORIZON`; the probability of a crossing is
  that of `graphtwin.prediction.crossing` over the steps where the rule holds. A point already
  outside while the rule holds has its threshold issue open: no warning is counted then.
- A **warning** (a `predicted` issue) opens when the probability reaches the threshold `p*` and
  closes when it falls under half of `p*` or the value crosses (the threshold issue takes
  over). A crossing is warned 15 min ahead when a warning of its point is open at an origin 1 to
  `HORIZON` steps before it; its lead time is from that warning's opening. A warning is
  **false** when no crossing of its point follows it: none after its opening and within
  `HORIZON` of its last open origin.
- `p*` is chosen on the tuning runs (the medium office in Denver): the smallest of `P_GRID` whose
  false share there is at most 5%; the other runs only evaluate it.
- False warnings are counted by what preceded them: **after a fault** when it opens while a
  labelled fault acts on the point's zone or within `FAULT_MEMORY` after it ended (the day-type
  profile and the correction still carry the fault's values), else **morning** when it opens on
  a working day between 04:00 and 07:00 local (the warm-up), else **other**. `curve` gives the
  warned and false shares at every threshold of `P_GRID`: the trade-off `p*` picks a point on.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.forecast_data import Run
from graphtwin.drift.rules import Bounds
from graphtwin.prediction.crossing import step_probabilities
from graphtwin.prediction.forecast import Forecast, fit_many, model_values, stack_params
from graphtwin.prediction.kinds import PointKind
from graphtwin.prediction.models import rolling_rows

COMFORT = Bounds(low=20.0, high=26.0)
UNOCCUPIED = re.compile(r"attic|plenum", re.IGNORECASE)
"""Zones nobody works in (the small office's attic): no comfort rule."""
OCCUPIED_HOURS = (7, 19)
HORIZON_STEPS = 8  # 2 h at 15 min
P_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
FALSE_TARGET = 0.05
HYSTERESIS = 0.5
"""An open warning closes when its probability falls under this share of the threshold."""
FAULT_MEMORY = timedelta(days=1)
"""How long after a labelled fault a false warning on its zone is counted as its aftermath."""
MORNING_HOURS = (4, 7)


@dataclass(slots=True)
class RunWarnings:
    """Per run: each point's crossing probability at every origin and its real crossings."""

    name: str
    probability: np.ndarray  # (points, origins)
    outside_now: np.ndarray  # (points, origins)
    crossings: list[tuple[int, int]] = field(default_factory=list)  # (point, origin index)
    during_fault: set[tuple[int, int]] = field(default_factory=set)
    """The crossings of a point a labelled fault affects, while it acts (start to end + 2 h)."""
    fault_spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    """Per point, the origins (first, last) from a labelled fault's start on it to
    `FAULT_MEMORY` after its end."""
    morning: np.ndarray | None = None
    """Per origin: a working day, 04:00-07:00 local."""
    forecast: np.ndarray | None = None
    """The forecast the probability came from: (points, origins, leads, 3) mean, lo90, hi90."""

    def cause(self, point: int, first: int) -> str:
        """Why a false warning opening at origin `first` on `point` was likely: after a fault,
        in the morning warm-up, or other."""
        if any(lo <= first <= hi for lo, hi in self.fault_spans.get(point, ())):
            return "after_fault"
        if self.morning is not None and self.morning[first]:
            return "morning"
        return "other"

    def episodes(self, threshold: float) -> list[tuple[int, int, int]]:
        """Warnings as (point, first origin, last origin): open at `threshold`, closed when the
        probability falls under half of it or the point is outside (its threshold issue)."""
        found = []
        for point in range(self.probability.shape[0]):
            p, out = self.probability[point], self.outside_now[point]
            start = None
            for o in range(p.size):
                if start is None and p[o] >= threshold and not out[o]:
                    start = o
                elif start is not None and (p[o] < threshold * HYSTERESIS or out[o]):
                    found.append((point, start, o - 1))
                    start = None
            if start is not None:
                found.append((point, start, p.size - 1))
        return found

    def score(self, threshold: float) -> dict[str, Any]:
        episodes = self.episodes(threshold)
        by_point: dict[int, list[tuple[int, int]]] = {}
        for point, first, last in episodes:
            by_point.setdefault(point, []).append((first, last))
        warned, leads, fault_warned = 0, [], 0
        for point, c in self.crossings:
            # a warning open at an origin 1 to HORIZON steps before the crossing
            hits = [
                (first, last)
                for first, last in by_point.get(point, [])
                if first <= c - 1 and last >= c - HORIZON_STEPS
            ]
            if hits:
                warned += 1
                fault_warned += (point, c) in self.during_fault
                leads.append((c - min(first for first, _ in hits)) * 15)
        crossing_at: dict[int, list[int]] = {}
        for point, c in self.crossings:
            crossing_at.setdefault(point, []).append(c)
        causes = [
            self.cause(point, first)
            for point, first, last in episodes
            if not any(first < c <= last + HORIZON_STEPS for c in crossing_at.get(point, []))
        ]
        false = len(causes)
        return {
            "crossings": len(self.crossings),
            "warned": warned,
            "warnings": len(episodes),
            "false": false,
            "false_after_fault": causes.count("after_fault"),
            "false_morning": causes.count("morning"),
            "fault_crossings": len(self.during_fault),
            "fault_warned": fault_warned,
            "leads_min": leads,
        }


def run_warnings(run: Run) -> RunWarnings:
    """Forecast every zone temperature of `run` at every origin of its evaluation window."""
    ids = [
        i
        for i, kind in run.kinds.items()
        if kind is PointKind.ZONE_TEMPERATURE and not UNOCCUPIED.search(i)
    ]
    series = [run.series[i] for i in ids]
    first = series[0]
    step = first.step
    values = np.stack([s.values for s in series])
    times = first.times
    local = pd.DatetimeIndex(times + np.timedelta64(int(run.utc_offset.total_seconds()), "s"))
    local = local - pd.Timedelta(seconds=1)  # a step stamped at its end belongs to its start
    active = (
        (local.dayofweek < 5) & (local.hour >= OCCUPIED_HOURS[0]) & (local.hour < OCCUPIED_HOURS[1])
    )
    active = np.asarray(active)
    lo = int((run.history_end - first.start) / step)
    size = min(values.shape[1], int((run.end - first.start) / step) + 1)
    values, active = values[:, :size], active[:size]
    outside = (values < COMFORT.low) | (values > COMFORT.high)
    breach = outside & active[None, :]
    probability = np.zeros((len(ids), size - lo))
    kept = np.full((len(ids), size - lo, HORIZON_STEPS, 3), np.nan)
    day = timedelta(days=1)
    refit = run.history_end
    while refit < run.end:
        models = fit_many(
            [s.until(refit) for s in series], kinds=[PointKind.ZONE_TEMPERATURE] * len(ids),
            now=refit, utc_offset=run.utc_offset,
        )  # fmt: skip
        _, grid = model_values(series[0], models[0])
        o_lo = int((refit - first.start) / step)
        o_hi = min(int((refit + day - first.start) / step), size - 1)
        origins = np.arange(o_lo, o_hi)
        if origins.size:
            leads = np.arange(1, HORIZON_STEPS + 1)
            mean, q = rolling_rows(
                values, grid, stack_params(models), models[0]._settings(), origins, leads
            )
            shape = (len(ids), origins.size, leads.size)
            targets = origins[:, None] + leads[None, :]
            on = np.broadcast_to(active[np.clip(targets, 0, size - 1)] & (targets < size), shape)
            forecast = Forecast(
                "", None, np.empty(0), mean.reshape(shape), q[:, 2].reshape(shape),
                q[:, 3].reshape(shape), q[:, 1].reshape(shape), q[:, 4].reshape(shape),
                q[:, 0].reshape(shape), q[:, 5].reshape(shape),
            )  # fmt: skip
            low, high = step_probabilities(forecast, COMFORT, active=on)
            probability[:, origins - lo] = np.maximum(low, high).max(axis=2)
            kept[:, origins - lo] = np.stack((forecast.mean, forecast.lo90, forecast.hi90), 3)
        refit += day
    crossings = []
    before = np.concatenate((np.zeros((len(ids), 1), bool), breach[:, :-1]), axis=1)
    for point, c in np.argwhere(breach & ~before):
        if c - HORIZON_STEPS >= lo:  # every origin before it lies in the window
            crossings.append((int(point), int(c - lo)))
    during = set()
    spans: dict[int, list[tuple[int, int]]] = {}
    for label in run.labels:
        start = datetime.fromisoformat(label["start"])
        end = datetime.fromisoformat(label["end"]) + timedelta(hours=2)
        hit = set(label.get("affected", ())) | set(label.get("targets", ()))
        for point, c in crossings:
            at = first.start + step * (lo + c)
            if ids[point] in hit and start <= at <= end:
                during.add((point, c))
        span = (
            int((start - first.start) / step) - lo,
            int((end - timedelta(hours=2) + FAULT_MEMORY - first.start) / step) - lo,
        )
        for point, twin_id in enumerate(ids):
            if twin_id in hit:
                spans.setdefault(point, []).append(span)
    morning = (
        (local.dayofweek < 5) & (local.hour >= MORNING_HOURS[0]) & (local.hour < MORNING_HOURS[1])
    )
    return RunWarnings(
        run.name, probability, breach[:, lo:], crossings, during, spans,
        np.asarray(morning)[lo:size], kept,
    )  # fmt: skip


def choose_threshold(tuning: list[RunWarnings], grid: Sequence[float] = P_GRID) -> float:
    """The smallest p* of `grid` whose false-warning share on the tuning runs is at most 5%
    (else the one with the fewest false warnings)."""
    best, best_false = grid[-1], 1.0
    for threshold in grid:
        scores = [r.score(threshold) for r in tuning]
        warnings = sum(s["warnings"] for s in scores)
        share = sum(s["false"] for s in scores) / warnings if warnings else 0.0
        if share <= FALSE_TARGET:
            return threshold
        if share < best_false:
            best, best_false = threshold, share
    return best


def summarise(runs: list[RunWarnings], threshold: float) -> dict[str, Any]:
    """Pooled recall, false share and lead times at `threshold`, and each run's."""
    per_run = {r.name: r.score(threshold) for r in runs}
    crossings = sum(s["crossings"] for s in per_run.values())
    warnings = sum(s["warnings"] for s in per_run.values())
    fault_crossings = sum(s["fault_crossings"] for s in per_run.values())
    leads = [m for s in per_run.values() for m in s["leads_min"]]
    return {
        "threshold": threshold,
        "crossings": crossings,
        "false_after_fault": sum(s["false_after_fault"] for s in per_run.values()),
        "false_morning": sum(s["false_morning"] for s in per_run.values()),
        "warned_share": sum(s["warned"] for s in per_run.values()) / crossings
        if crossings
        else None,
        "warnings": warnings,
        "false_share": sum(s["false"] for s in per_run.values()) / warnings if warnings else None,
        "median_lead_min": statistics.median(leads) if leads else None,
        "fault_crossings": fault_crossings,
        "fault_warned_share": (
            sum(s["fault_warned"] for s in per_run.values()) / fault_crossings
            if fault_crossings
            else None
        ),
        "runs": {
            name: {k: v for k, v in s.items() if k != "leads_min"}
            | {"median_lead_min": statistics.median(s["leads_min"]) if s["leads_min"] else None}
            for name, s in per_run.items()
        },
    }


def curve(
    runs: list[RunWarnings], grid: Sequence[float] = P_GRID
) -> dict[str, dict[str, float | None]]:
    """The warned and false shares of `runs` at every threshold of `grid`."""
    out = {}
    for threshold in grid:
        s = summarise(runs, threshold)
        out[str(threshold)] = {"warned_share": s["warned_share"], "false_share": s["false_share"]}
    return out
