"""The point view: a point's history chart with its threshold bands and forecast, and lineage.

`/points/{twin_id}?range=24h|7d|30d`: the history over the range (the last `HISTORY_PAGE`
values of it), the threshold bands of the point's sync rule (`Node.thresholds`), and the
forecast with its 80% and 95% bands when the point has enough history (otherwise the page says
why, in the API's words). The data goes into the page as JSON (`static/point.js` draws it with
uPlot); the same figures are written out as text. The lineage of the value (source, time, data
source) needs the AUDIT permission: it is shown to roles that have it, and the others are told.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from graphtwin.api.roles import Permission
from graphtwin.web.chart import chart_data, summary
from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import graphql
from graphtwin.web.health import css_class, shown_value, state_of
from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()

RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
"""The time ranges the chart offers."""
FORECAST = {"24h": ("24h", "15m"), "7d": ("48h", "1h"), "30d": ("72h", "1h")}
"""The forecast asked with each range: horizon and step."""
HISTORY_PAGE = 1000
"""Values of the range drawn at most (the latest; the API's largest page)."""


@router.get("/points/{twin_id:path}", response_class=HTMLResponse)
async def point(
    request: Request,
    twin_id: str,
    session: SignedIn,
    span: str = Query("24h", alias="range", pattern="^(24h|7d|30d)$"),
) -> HTMLResponse:
    start = datetime.now(UTC) - RANGES[span]
    horizon, step = FORECAST[span]

    async def lineage_of() -> dict[str, Any] | None:
        """The value's lineage for a role that may audit, read beside the page's data."""
        if not session.may(Permission.AUDIT):
            return None
        node = (await graphql(request, "point_lineage", twinId=twin_id))["node"]
        return node["lineage"] if node else None

    data, lineage = await asyncio.gather(
        graphql(
            request,
            "point",
            twinId=twin_id,
            start=start.isoformat(),
            first=HISTORY_PAGE,
            horizon=horizon,
            step=step,
        ),
        lineage_of(),
    )
    found = data["node"]
    if found is None:
        raise WebActionError(twin_id, f"no node {twin_id!r} in the twin", status=404)
    if found["kind"] != "Point":
        kind = found["kind"] or "another kind of node"
        raise WebActionError(twin_id, f"{twin_id!r} is not a point but {kind}", status=404)
    history = found["history"]
    forecast = found["forecast"]
    state = state_of(found["current"])
    return render(
        request,
        "point.html",
        title=found["name"] or twin_id,
        node=found,
        value=shown_value(found["current"]),
        state=state,
        state_class=css_class(state),
        range=span,
        ranges=list(RANGES),
        start=start.isoformat(),
        history=history,
        capped=len(history) >= HISTORY_PAGE,
        summary=summary(history),
        thresholds=found["thresholds"],
        forecast=forecast,
        forecast_summary=_forecast_summary(forecast),
        chart={
            **chart_data(history, forecast, found["thresholds"]),
            "unit": (found["current"] or {}).get("unit") or "",
            "name": found["name"] or twin_id,
        },
        lineage=lineage,
        may_audit=lineage is not None,
    )


def _forecast_summary(forecast: dict[str, Any] | None) -> dict[str, Any] | None:
    """The forecast's last step and its 95% band, for the text beside the chart."""
    if not forecast or forecast.get("status") != "ok" or not forecast.get("values"):
        return None
    last = forecast["values"][-1]
    return {"until": last["time"], "mean": last["mean"], "lower95": last["lower95"],
            "upper95": last["upper95"], "steps": len(forecast["values"])}  # fmt: skip
