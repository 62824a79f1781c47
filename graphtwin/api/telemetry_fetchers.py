"""Fetchers of live telemetry: a point's history (the Parquet store), drift issues and data
sources (the graph). Each serves all its parents with one read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record, plain


async def history(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    start: str | None = None,
    end: str | None = None,
    first: int,
) -> list[Any]:
    sync = ctx.services.telemetry
    ids = [p["twin_id"] for p in parents]
    if sync is None:
        return [[] for _ in parents]
    frame = await asyncio.to_thread(sync.history.query, ids, _time(start), _time(end))
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
