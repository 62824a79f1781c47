"""Fetchers of live telemetry: a point's history (the Parquet store), drift issues and data
sources (the graph). Each serves all its parents with one read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from graphtwin.api.as_of import as_of_aware, as_of_of, instant
from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record, plain

if TYPE_CHECKING:  # the telemetry stack loads only where it runs
    from graphtwin.telemetry.routing import Route


@as_of_aware
async def history(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    start: str | None = None,
    end: str | None = None,
    first: int,
) -> list[Any]:
    """Past values; as of a time, only those the history held then (up to that time)."""
    sync = ctx.services.telemetry
    ids = [p["twin_id"] for p in parents]
    if sync is None:
        return [[] for _ in parents]
    until = _time(end)
    as_of = as_of_of(parents)
    if as_of is not None:  # `end` is exclusive; a value at the very time was already there
        then = instant(as_of) + timedelta(microseconds=1)
        until = then if until is None else min(until.astimezone(UTC), then)
    frame = await asyncio.to_thread(sync.history.query, ids, _time(start), until)
    by_id: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for twin_id, time, value, quality, source in zip(
        frame["twin_id"],
        frame["time"],
        frame["value"],
        frame["quality"],
        frame["source"],
        strict=True,
    ):
        by_id[twin_id].append(
            {"time": time.isoformat(), "value": float(value), "quality": quality, "source": source}
        )
    return [by_id[i][-first:] for i in ids]


async def thresholds(ctx: ApiContext, parents: Sequence[Record]) -> list[Any]:
    """The threshold bands of each point's sync rule; None where its values come under no rule
    with thresholds, or no route (it is bound nowhere and nothing was pushed to it yet)."""
    sync = ctx.services.telemetry
    if sync is None:
        return [None for _ in parents]
    routes = sync.pipeline.routes_of([p["twin_id"] for p in parents])
    return [_bands(routes.get(p["twin_id"])) for p in parents]


def _bands(route: Route | None) -> dict[str, Any] | None:
    if route is None or route.rule.thresholds is None:
        return None
    bands = route.rule.thresholds
    warning, critical = bands.warning, bands.critical
    return {
        "rule": route.rule_name,
        "warning_low": warning.low if warning else None,
        "warning_high": warning.high if warning else None,
        "critical_low": critical.low if critical else None,
        "critical_high": critical.high if critical else None,
        "hysteresis": bands.hysteresis,
    }


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def node_drift_issues(
    ctx: ApiContext, parents: Sequence[Record], *, statuses: list[str] | None = None, first: int
) -> list[Any]:
    ids = [p["twin_id"] for p in parents]
    rows = await ctx.read("drift/issues_of", ids=ids, statuses=statuses, limit=first)
    found = {r["id"]: [plain(i) for i in r["issues"]] for r in rows}
    return [found.get(i, []) for i in ids]


async def drift_issues(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    statuses: list[str] | None = None,
    types: list[str] | None = None,
    twin_id: str | None = None,
    first: int,
) -> list[Any]:
    rows = await ctx.read(
        "drift/issues_list", statuses=statuses, types=types, twin_id=twin_id, limit=first
    )
    found = [plain(r["issue"]) for r in rows]
    return [found for _ in parents]


async def data_sources(ctx: ApiContext, parents: Sequence[Any]) -> list[Any]:
    rows = await ctx.read("telemetry/sources")
    found = [plain(r["source"]) for r in rows]
    return [found for _ in parents]
