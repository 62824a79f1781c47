"""The point view's chart data: history, forecast band and thresholds on one time axis.

`static/point.js` hands it to uPlot as it is: `x` (epoch seconds, ascending) and one array per
series, aligned with `x` (null where a series has no value at that time), drawn in the order of
`names`. The history and the
forecast share the axis; a threshold is a constant series over the whole of it. Nothing is
invented: a forecast with status other than ok adds no series, a threshold the rule does not
set adds none.

>>> chart = chart_data(
...     [{"time": "2026-12-07T10:00:00+00:00", "value": 21.0}],
...     {"status": "ok", "values": [{"time": "2026-12-07T10:15:00+00:00", "mean": 21.5,
...      "lower80": 21.0, "upper80": 22.0, "lower95": 20.5, "upper95": 22.5}]},
...     {"warningHigh": 26.0},
... )
>>> chart["x"], chart["series"]["history"], chart["series"]["mean"]
([1796637600, 1796638500], [21.0, None], [None, 21.5])
>>> chart["series"]["warningHigh"]
[26.0, 26.0]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

FORECAST_SERIES = ("mean", "lower80", "upper80", "lower95", "upper95")
THRESHOLD_SERIES = ("warningLow", "warningHigh", "criticalLow", "criticalHigh")


def epoch_s(time: str) -> int:
    """An ISO 8601 time as whole epoch seconds (what uPlot's time axis takes)."""
    return int(datetime.fromisoformat(time).timestamp())


def chart_data(
    history: Iterable[Mapping[str, Any]],
    forecast: Mapping[str, Any] | None,
    thresholds: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The chart's series (see the module's docstring): `x`, and `series` by name."""
    rows: dict[int, dict[str, float | None]] = {}
    for value in history:
        rows.setdefault(epoch_s(value["time"]), {})["history"] = value["value"]
    forecasting = bool(forecast) and forecast.get("status") == "ok" and forecast.get("values")
    if forecasting:
        for step in forecast["values"]:  # type: ignore[index]
            row = rows.setdefault(epoch_s(step["time"]), {})
            for name in FORECAST_SERIES:
                row[name] = step.get(name)
    x = sorted(rows)
    names = ["history", *(FORECAST_SERIES if forecasting else ())]
    series: dict[str, list[float | None]] = {n: [rows[t].get(n) for t in x] for n in names}
    for name in THRESHOLD_SERIES:
        bound = (thresholds or {}).get(name)
        if bound is not None:
            series[name] = [bound] * len(x)
    return {"x": x, "series": series, "names": list(series)}


def summary(history: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """What the chart shows, as text for everyone who does not see it: how many values, from
    when to when, the lowest, highest and last (None without history).

    >>> summary([{"time": "2026-12-07T10:00:00+00:00", "value": 20.0},
    ...          {"time": "2026-12-07T11:00:00+00:00", "value": 22.0}])["highest"]
    22.0
    """
    if not history:
        return None
    values = [v["value"] for v in history]
    return {
        "count": len(values),
        "first": history[0]["time"],
        "last": history[-1]["time"],
        "lowest": min(values),
        "highest": max(values),
        "latest": values[-1],
    }
