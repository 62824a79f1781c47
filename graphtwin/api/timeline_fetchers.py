"""The twin's timeline in GraphQL: `twinDiff` runs the store's diff between two times
(`graphtwin.store.timeline_diff`, the same as `graphtwin diff twin`) over the API's driver.

The store's diff reads through a session; here it runs in a worker thread on `ReadSession`, whose
statements run on the API's async driver in the request's event loop, under the request's
Neo4j slot and time limit.

Example: `{ twinDiff(from: "2026-11-20T00:00:00Z", to: "2026-11-21T00:00:00Z") { nodes {
changed { twinId keys old new sources runs } } } }`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import neo4j

from graphtwin.api.context import ApiContext
from graphtwin.api.records import plain
from graphtwin.store import statement_runner as runner
from graphtwin.store.asof import check_as_of, parse_time, points_at, subtree_at
from graphtwin.store.statement_runner import Compiled
from graphtwin.store.timeline_diff import diff_between


class ReadResult:
    """The records of one statement, read the ways the store's read code reads a result."""

    def __init__(self, records: list[neo4j.Record]) -> None:
        self._records = records

    def __iter__(self) -> Iterator[neo4j.Record]:
        return iter(self._records)

    def value(self, key: str = "") -> list[Any]:
        return [r[key] if key else r[0] for r in self._records]

    def single(self, strict: bool = False) -> neo4j.Record | None:
        if strict and len(self._records) != 1:
            raise ValueError(f"expected one record, got {len(self._records)}")
        return self._records[0] if self._records else None


class ReadSession:
    """`session.run` for store code called from a worker thread: each statement is read on the
    API's async driver in `loop` (the request's), the thread waiting for its records."""

    def __init__(self, ctx: ApiContext, loop: asyncio.AbstractEventLoop) -> None:
        self._ctx = ctx
        self._loop = loop

    def run(self, query: str, parameters: dict[str, Any] | None = None, **params: Any) -> Any:
        read = self._read(query, {**(parameters or {}), **params})
        return ReadResult(asyncio.run_coroutine_threadsafe(read, self._loop).result())

    async def _read(self, query: str, params: dict[str, Any]) -> list[neo4j.Record]:
        ctx = self._ctx
        async with ctx.neo4j_slot():
            return await runner.query_async(
                ctx.services.driver,
                Compiled("a statement of the store's diff", query),
                database_=ctx.services.database,
                read_=True,
                timeout_=ctx.remaining_s(),
                **params,
            )


async def twin_diff(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    from_: str,
    to: str,
    root_id: str | None = None,
    values: bool = False,
) -> list[Any]:
    """The changes between `from_` and `to` (both within the twin's history), below
    `root_id`; with `values`, the points whose value differs too."""
    start, end = parse_time(from_, field="from"), parse_time(to, field="to")
    [row] = await ctx.read("asof/history_start")
    history = (row["start"].to_native() if row["start"] else None, datetime.now(UTC))
    for at in (start, end):
        check_as_of(None, at, history=history)  # type: ignore[arg-type]
    session = ReadSession(ctx, asyncio.get_running_loop())
    diff = await asyncio.to_thread(diff_between, session, start, end, root=root_id)  # type: ignore[arg-type]
    found = plain(diff.to_json())
    found["from_"] = found["from"]
    found["values"] = await _value_changes(ctx, session, start, end, root_id) if values else []
    return [found for _ in parents]


async def _value_changes(
    ctx: ApiContext, session: ReadSession, start: datetime, end: datetime, root: str | None
) -> list[dict[str, Any]]:
    """The points there were at either time whose value differs, from the server's history."""
    from graphtwin.api.simulation_fetchers import history_store
    from graphtwin.telemetry.value_changes import value_changes

    def changes() -> list[dict[str, Any]]:
        points = set()
        for at in (start, end):
            among = None if root is None else subtree_at(session, root, at)  # type: ignore[arg-type]
            points |= set(points_at(session, at, among))  # type: ignore[arg-type]
        lookback = ctx.services.settings.history_lookback
        found = value_changes(history_store(ctx), sorted(points), start, end, lookback=lookback)
        return [c.to_json() for c in found]

    return await asyncio.to_thread(changes)
