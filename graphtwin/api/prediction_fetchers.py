"""Forecasts for the API (`Node.forecast`, reader role): each point's stored model, or one
fitted for the answer when none is stored or it is due (not stored: a read changes nothing;
`graphtwin forecast fit` stores models), and its forecast.

The graph is read with the request's driver; the history read, fitting and forecasting run in
a worker thread, so the server keeps answering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.limits import FieldWork
from graphtwin.api.records import Record
from graphtwin.api.simulation_fetchers import history_store
from graphtwin.errors import InputError
from graphtwin.virtual.faults.spec import parse_duration

FORECAST = FieldWork(per_call=2_000, per_parent=500)
"""A history read, and a model fitted (or read) and run, per point."""


async def forecast(
    ctx: ApiContext, parents: Sequence[Record], *, horizon: str, step: str
) -> list[Any]:
    # the models load with the first forecast asked for, not with the server
    from graphtwin.prediction.forecast_point import check_request, forecast_json, forecast_many
    from graphtwin.prediction.read_history import read_known_at
    from graphtwin.prediction.store import point_from_row, stored_from_row

    settings = ctx.services.settings
    ahead, every = _duration(horizon, "horizon"), _duration(step, "step")
    check_request(ahead, every, settings)
    ids = [p["twin_id"] for p in parents]
    infos = {r["twin_id"]: point_from_row(r) for r in await ctx.read("prediction/points", ids=ids)}
    points = [i for i in ids if i in infos and infos[i].is_point]
    rows = await ctx.read("prediction/models_read", ids=points)
    history = history_store(ctx)

    def compute() -> dict[str, Record]:
        now = datetime.now(UTC)
        raw = read_known_at(history, points, now=now, days=settings.forecast_history_days)
        stored = {r["point"]: stored_from_row(r) for r in rows}
        answers = forecast_many([infos[i] for i in points], stored, raw, horizon=ahead,
                                step=every, now=now, settings=settings)  # fmt: skip
        return {a.twin_id: _view(forecast_json(a)) for a in answers}

    found = await asyncio.to_thread(compute)
    return [found.get(i) for i in ids]


def _view(answer: dict[str, Any]) -> Record:
    """`forecast_json` as the `Forecast` type reads it."""
    model = answer["model"] or {}
    return {
        "status": answer["status"],
        "message": answer["message"],
        "model_id": model.get("model_id"),
        "family": model.get("family"),
        "kind": model.get("kind"),
        "trained_from": model.get("trained_from"),
        "trained_to": model.get("trained_to"),
        "samples": model.get("samples"),
        "backtest_mase": model.get("backtest_mase"),
        "refit": model.get("refit"),
        "issued_at": answer["issued_at"],
        "history": {k: answer["history"].get(k, 0) for k in _HISTORY},
        "values": [
            {
                "time": p["time"],
                "mean": p["mean"],
                "lower80": p["lo80"],
                "upper80": p["hi80"],
                "lower95": p["lo95"],
                "upper95": p["hi95"],
            }
            for p in answer["points"]
        ],
    }


_HISTORY = ("samples", "nan_count", "gap_count", "gap_steps", "filled_steps")


def _duration(text: str, argument: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise InputError(str(exc), entity=argument) from exc
