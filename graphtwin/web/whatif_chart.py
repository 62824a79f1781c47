"""A what-if run's zone trajectories as the page's uPlot charts: one chart per zone, one line
per variant (inaction first, then each action) and each variant's uncertainty band.

`static/whatif.js` hands each chart to uPlot as it is: `x` (epoch seconds), `series` (one per
variant: name and values) and `bands` (per variant: lower and upper, drawn as a shaded area
behind its line, not as series of their own). Zones come worst first: those inaction leaves
outside their bounds, then those that lose supply, then the rest, at most `MAX_ZONES`.

>>> run = {"outcomes": [{"name": "inaction", "zonesAffected": [], "firstViolation": None}],
...        "impact": {"lost": ["z1"]},
...        "trajectories": [{"variant": "inaction", "node": "z1", "property": "air_temperature",
...                          "unit": "degC", "times": ["2026-07-08T09:00:00+00:00"],
...                          "values": [24.0], "lower": [23.5], "upper": [24.5]}]}
>>> [(c["zone"], c["x"], [s["name"] for s in c["series"]]) for c in zone_charts(run)]
[('z1', [1783501200], ['inaction'])]
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

MAX_ZONES = 6
AIR_TEMPERATURE = "air_temperature"


def zone_charts(run: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The charts of a `simulationRun` answer (see the module doc)."""
    variants = [o["name"] for o in run["outcomes"]]
    by_zone: dict[str, dict[str, Mapping[str, Any]]] = {}
    for t in run["trajectories"]:
        if t["property"] == AIR_TEMPERATURE:
            by_zone.setdefault(t["node"], {})[t["variant"]] = t
    inaction = run["outcomes"][0] if run["outcomes"] else {}
    first = inaction.get("firstViolation") or {}
    violating = set(inaction.get("zonesAffected") or []) | ({first["node"]} if first else set())
    lost = set((run.get("impact") or {}).get("lost") or [])
    order = sorted(by_zone, key=lambda z: (z not in violating, z not in lost, z))
    charts = []
    for zone in order[:MAX_ZONES]:
        series = by_zone[zone]
        shown = [v for v in variants if v in series]
        times = series[shown[0]]["times"]
        charts.append(
            {
                "zone": zone,
                "unit": series[shown[0]]["unit"],
                "x": [int(datetime.fromisoformat(t).timestamp()) for t in times],
                "series": [{"name": v, "values": series[v]["values"]} for v in shown],
                "bands": [
                    {"name": v, "lower": series[v]["lower"], "upper": series[v]["upper"]}
                    for v in shown
                ],
            }
        )
    return charts
