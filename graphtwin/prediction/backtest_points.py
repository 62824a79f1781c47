"""`graphtwin forecast backtest`: rolling-origin backtests of the points under a root, scored
against what happened between two times (backtest.py): MASE against the seasonal naive forecast
(one day earlier) at 1 h and 24 h ahead, and the coverage of the 80, 90 and 95% intervals, per
point and pooled over all of them. A point with too little history before the start is listed
with why, and not scored.

>>> with TwinStore.open(settings) as store:  # doctest: +SKIP
...     report = backtest_points(store, history, settings, root="urn:office",
...                              start=datetime(2026, 11, 1, tzinfo=UTC),
...                              end=datetime(2026, 11, 8, tzinfo=UTC))
>>> report["overall"]["mase_1h"]  # doctest: +SKIP
0.62
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from graphtwin.config import Settings
from graphtwin.prediction.backtest import COVERAGES, DEFAULT_LEADS, PointScore, backtest
from graphtwin.prediction.fresh_model import FIT_STEP
from graphtwin.prediction.kinds import point_kind
from graphtwin.prediction.read_history import read_series
from graphtwin.prediction.series import prepare
from graphtwin.prediction.store import points_under
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.faults.spec import format_duration


def backtest_points(
    store: TwinStore,
    history: HistoryStore,
    settings: Settings,
    *,
    root: str | None,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """The backtest report of every live point under `root` (the whole twin when None), as
    plain JSON-able values."""
    infos = points_under(store, root)
    ids = [i.twin_id for i in infos]
    first = start - timedelta(days=settings.forecast_history_days)
    # the last origin forecasts up to the longest lead past `end`: read that far
    raw = read_series(history, ids, start=first, end=end + max(DEFAULT_LEADS) + FIT_STEP)
    series = [prepare(raw[i].times, raw[i].values, step=FIT_STEP) for i in ids]
    kinds = [point_kind(i.brick_class, i.unit, i.name) for i in infos]
    report = backtest(series, kinds, start=start, end=end, entities=ids)
    per_point = []
    for index, info in enumerate(infos):
        row: dict[str, Any] = {"twin_id": info.twin_id, "kind": str(kinds[index])}
        if index in report.skipped:
            row.update(status="insufficient_history", message=report.skipped[index])
        else:
            row.update(status="ok", **_scores([report.score(index, lead) for lead in report.leads]))
        per_point.append(row)
    pooled = [report.pooled(lead) for lead in report.leads]
    return {
        "root": root,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "points": len(infos) - len(report.skipped),
        "skipped": len(report.skipped),
        "overall": _scores(pooled) if any(s.count for s in pooled) else {},
        "per_point": per_point,
    }


def _scores(scores: list[PointScore]) -> dict[str, Any]:
    """MASE at each lead (`mase_1h`, `mase_24h`), coverage of each interval over every lead's
    targets (`coverage_80` ...), and the same per lead under `leads`."""
    found: dict[str, Any] = {}
    count = sum(s.count for s in scores)
    for s in scores:
        found[f"mase_{_lead(s.lead)}"] = _number(s.mase)
    for level in COVERAGES:
        inside = sum(s.inside[level] for s in scores)
        found[f"coverage_{round(level * 100)}"] = _number(inside / count) if count else None
    found["leads"] = {
        _lead(s.lead): {
            "targets": s.count,
            "mase": _number(s.mase),
            "coverage": {str(round(c * 100)): _number(v) for c, v in s.coverage.items()},
        }
        for s in scores
    }
    return found


def _lead(lead: timedelta) -> str:
    """1h, 24h: leads in whole hours as people say them, others as format_duration does."""
    hours = lead / timedelta(hours=1)
    return f"{int(hours)}h" if hours.is_integer() else format_duration(lead)


def _number(value: float) -> float | None:
    return round(float(value), 4) if math.isfinite(value) else None
