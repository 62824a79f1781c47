"""The ingest pipeline: validate -> coalesce per point -> batched writes -> history -> audit.

A reading newer than its point's current value becomes current; an older one (a gateway's
buffer, sent after an outage) is backfilled: it goes to the history in its place in time and
never moves the current value back.

Connectors call `submit` for every reading, on the event loop; it does constant work and never
blocks. `run` flushes every `flush_interval_s`: the latest value of each point goes to Neo4j in
one transaction (in a worker thread, so readings keep arriving), every accepted value goes to
the history store, drift transitions found on the way are reconciled, and the batch is written
to the audit log. If Neo4j is away, the batch goes back into the pending buffer (a newer value
of a point wins) and is retried with backoff; the buffer is bounded and what it drops is counted.

Only the graph write is on the path from a reading to the graph: a written batch's audit record
and the history's Parquet file are done by a follow-up task in a worker thread while the
next batch is taken and written (one follow-up at a time, in batch order; `flush`, `drain` and
`close` return after it, so what they report is on disk).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from graphtwin.audit import AuditLog
from graphtwin.drift.issues import DriftEvent
from graphtwin.drift.reconcile import Policy, Reconciled, reconcile
from graphtwin.drift.staleness import StalenessMonitor
from graphtwin.drift.threshold import ThresholdMonitor
from graphtwin.store.graph_writer import UNAVAILABLE, GraphWriter, value_row
from graphtwin.telemetry.alerts import post_alert
from graphtwin.telemetry.bindings import PipelineSettings
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.readings import Reading
from graphtwin.telemetry.routing import Route, RouteKey
from graphtwin.telemetry.stats import IngestStats, Outcome, Rejection

log = logging.getLogger(__name__)

_NUMBER_TYPES = (int, float, np.integer, np.floating)


@dataclass(slots=True)
class _Pending:
    value: float
    at_ns: int
    quality: str
    source_id: str
    received_at: float
    priority: int


@dataclass(slots=True)
class _PointState:
    last_at_ns: int = -1
    last_value: float | None = None


@dataclass
class SourceCounts:
    received: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass
class _History:
    """Accepted values since the last flush, as columns (cheap to append, cheap to hand over)."""

    twin_ids: list[str] = field(default_factory=list)
    times_ns: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    qualities: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class IngestPipeline:
    def __init__(
        self,
        routes: dict[RouteKey, Route],
        writer: GraphWriter,
        history: HistoryStore,
        audit: AuditLog,
        settings: PipelineSettings | None = None,
        *,
        policy_of: Callable[[str | None], Policy] | None = None,
    ) -> None:
        self.settings = settings or PipelineSettings()
        self.stats = IngestStats()
        self.by_source: dict[str, SourceCounts] = {}
        self._routes = routes
        self._writer = writer
        self._history_store = history
        self._audit = audit
        self._policy_of = policy_of or (lambda _rule: Policy("alert"))
        self._points: dict[str, _PointState] = {}
        self._pending: dict[str, _Pending] = {}
        self._history = _History()
        self._drift: list[DriftEvent] = []
        self._reconciled: list[Reconciled] = []  # found, not yet in the graph (kept on failure)
        self.thresholds = ThresholdMonitor()
        self.staleness = StalenessMonitor()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()
        self._after: asyncio.Task[None] | None = None  # the last written batch's follow-up
        self._alert_tasks: set[asyncio.Task[None]] = set()
        self.last_flush_at: float | None = None
        for route in routes.values():
            self._know(route)
            if route.rule.staleness_s is not None:
                self.staleness.watch(route.twin_id, route.rule.staleness_s, route.rule_name)

    # --- receiving ----------------------------------------------------------------------

    def submit(self, reading: Reading) -> str | None:
        """Takes one reading; returns the reason it was rejected, or None."""
        outcome = self.offer(reading)
        return outcome if outcome in Rejection.ALL else None

    def offer(self, reading: Reading) -> str:
        """Takes one reading; returns what became of it: an `Outcome` or a `Rejection` reason."""
        self.stats.received += 1
        counts = self.by_source.get(reading.source_id)
        if counts is None:
            counts = self.by_source[reading.source_id] = SourceCounts()
        counts.received += 1
        outcome = self._accept(reading)
        if outcome in Rejection.ALL:
            self.stats.rejected[outcome] += 1
            counts.rejected += 1
        else:
            counts.accepted += 1
        return outcome

    def check(self, reading: Reading) -> str | None:
        """The reason the pipeline would reject a reading now, or None; changes nothing."""
        verdict = self._validate(reading)
        return verdict if isinstance(verdict, str) else None

    def twin_id_of(self, source_id: str, address: str) -> str | None:
        route = self._routes.get((source_id, address))
        return route.twin_id if route else None

    def _validate(self, reading: Reading) -> str | tuple[Route, float, int]:
        """A rejection reason, or the reading's route, value and source time (epoch ns)."""
        route = self._routes.get((reading.source_id, reading.address))
        if route is None:
            return Rejection.UNKNOWN_POINT
        raw = reading.value
        if isinstance(raw, bool | np.bool_):
            value = float(raw)
        elif isinstance(raw, _NUMBER_TYPES):
            value = float(raw)
            if not math.isfinite(value):
                return Rejection.NOT_A_NUMBER
        else:
            return Rejection.WRONG_TYPE
        if reading.source_time is None:
            at_ns = int(reading.received_at * 1e9)
        else:
            at_ns = epoch_ns(reading.source_time)
            if at_ns > (time.time() + self.settings.max_clock_skew_s) * 1e9:
                return Rejection.FUTURE_TIMESTAMP
        return route, value, at_ns

    def _accept(self, reading: Reading) -> str:
        verdict = self._validate(reading)
        if isinstance(verdict, str):
            return verdict
        route, value, at_ns = verdict
        twin_id = route.twin_id
        state = self._points.get(twin_id)
        if state is None:
            state = self._points[twin_id] = _PointState()
        at_ms = at_ns // 1_000_000
        # Only a good value shows the point alive: an out-of-service or faulty one (a BACnet
        # object's status) is kept and written, but neither keeps nor makes the point fresh.
        recovered = self.staleness.seen(twin_id, at_ms) if reading.quality == "good" else None
        if recovered is not None:
            self._drift.append(recovered)
        if at_ns < state.last_at_ns:
            # A late reading (a gateway's buffer sent after an outage): the history takes it in
            # its place in time; the point's current value never moves back, and drift, which
            # judges the present, is not shown the past.
            self.stats.accepted += 1
            self.stats.backfilled += 1
            self._keep(twin_id, at_ns, value, reading)
            return Outcome.BACKFILLED
        rule = route.rule
        last = state.last_value
        if (
            last is not None
            and rule.trigger == "on_change"
            and abs(value - last) <= rule.deadband
            and reading.quality == "good"
        ):
            self.stats.unchanged += 1
            return Outcome.UNCHANGED
        pending = self._pending.get(twin_id)
        if pending is None and len(self._pending) >= self.settings.max_pending:
            return Rejection.BUFFER_OVERFLOW
        if pending is not None:
            self.stats.coalesced += 1
        self._pending[twin_id] = _Pending(
            value, at_ns, reading.quality, reading.source_id, reading.received_at, rule.priority
        )
        state.last_at_ns, state.last_value = at_ns, value
        self.stats.accepted += 1
        self._keep(twin_id, at_ns, value, reading)
        if rule.thresholds is not None and reading.quality != "bad":
            # a value the device itself calls faulty is the sensor's fault (health: fault), not
            # the zone's temperature: it neither opens nor clears a threshold issue
            event = self.thresholds.observe(twin_id, rule.thresholds, value, at_ms, route.rule_name)
            if event is not None:
                self._drift.append(event)
        if len(self._pending) >= self.settings.max_batch:
            self._wake.set()
        return Outcome.CURRENT

    def _keep(self, twin_id: str, at_ns: int, value: float, reading: Reading) -> None:
        """An accepted value for the history (written at the next flush)."""
        history = self._history
        history.twin_ids.append(twin_id)
        history.times_ns.append(at_ns)
        history.values.append(value)
        history.qualities.append(reading.quality)
        history.sources.append(reading.source_id)

    def _know(self, route: Route) -> None:
        """What the graph holds for a point when its route is made: a value older than that is
        backfill, even in the first reading after a restart."""
        if route.current_at_ms is None:
            return
        state = self._points.get(route.twin_id)
        if state is None:
            state = self._points[route.twin_id] = _PointState()
        state.last_at_ns = max(state.last_at_ns, route.current_at_ms * 1_000_000)

    def graph_holds(self, twin_id: str, current_at_ms: int | None) -> None:
        """The time of the value the graph holds for a point now (None: no value), read just
        before readings of it are offered. The graph wins over what the pipeline remembers (it
        may have been reset, or written by another process) unless the pipeline holds a newer
        value of the point that is not written yet."""
        state = self._points.get(twin_id)
        if state is None:
            state = self._points[twin_id] = _PointState()
        graph_ns = -1 if current_at_ms is None else current_at_ms * 1_000_000
        if twin_id in self._pending or self._flushing.locked():
            state.last_at_ns = max(state.last_at_ns, graph_ns)
        elif current_at_ms is None or current_at_ms != state.last_at_ns // 1_000_000:
            state.last_at_ns, state.last_value = graph_ns, None

    def has_route(self, source_id: str, address: str) -> bool:
        return (source_id, address) in self._routes

    def routes_of(self, twin_ids: Collection[str]) -> dict[str, Route]:
        """The route by which each of these points' values come, for those the pipeline routes
        (bound, or pushed to an open http source): its rule judges them. Of a point bound twice,
        a route whose rule has thresholds wins (those draw the point's bands)."""
        wanted = set(twin_ids)
        found: dict[str, Route] = {}
        for route in self._routes.values():
            if route.twin_id in wanted:
                held = found.get(route.twin_id)
                if held is None or (held.rule.thresholds is None and route.rule.thresholds):
                    found[route.twin_id] = route
        return found

    def add_route(self, key: RouteKey, route: Route) -> None:
        """A point found after the start (an open http source's push)."""
        self._routes[key] = route
        self._know(route)
        if route.rule.staleness_s is not None:
            self.staleness.watch(route.twin_id, route.rule.staleness_s, route.rule_name)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def mark_stale(self, source_id: str, addresses: list[str], reason: str) -> int:
        """The source says these addresses stopped reporting (a Sparkplug NDEATH or DDEATH):
        their points are stale now, not after a staleness limit, and their issues go to the
        graph at the next flush. Returns how many points became stale."""
        now_ms = int(time.time() * 1000)
        marked = 0
        for address in addresses:
            route = self._routes.get((source_id, address))
            if route is None:
                continue
            event = self.staleness.mark_stale(route.twin_id, now_ms, reason, route.rule_name)
            if event is not None:
                self._drift.append(event)
                marked += 1
        if marked:
            self._wake.set()
        return marked

    def check_staleness(self) -> int:
        """Points whose staleness limit ran out since the last check (their issues are queued)."""
        events = self.staleness.check(int(time.time() * 1000))
        self._drift.extend(events)
        return len(events)

    # --- writing ------------------------------------------------------------------------

    async def run(self, *, staleness_every_s: float = 1.0) -> None:
        """Flushes until `stop()`; then flushes what is left (if the graph takes it)."""
        next_check = started = time.monotonic()
        backoff = 0.0
        while not self._stopping.is_set():
            # Flushes start every flush_interval_s (not that long after the last one ended): a
            # value waits at most one interval plus one write for its batch to commit.
            wait = started + self.settings.flush_interval_s + backoff - time.monotonic()
            if wait > 0:
                with contextlib.suppress(TimeoutError):  # woken early by a full batch or stop()
                    await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()
            started = time.monotonic()
            if time.monotonic() >= next_check:
                self.check_staleness()
                next_check = time.monotonic() + staleness_every_s
            async with self._flushing:
                ok = await self._flush()  # the follow-up of this batch overlaps the next one
            backoff = 0.0 if ok else min(max(backoff * 2, 0.2), 5.0)
        await self.drain()

    async def drain(self) -> bool:
        """Flushes until nothing waits (a backlog takes several batches); False if the graph
        went away first (what is left stays pending)."""
        try:
            while True:
                async with self._flushing:
                    if not await self._flush():
                        return False
                if not self._pending and not self._drift and not self._reconciled:
                    return True
        finally:
            await self.settle()

    async def settle(self) -> None:
        """Waits for the follow-up of the last flush (audit record, history file); raises what
        it raised."""
        after, self._after = self._after, None
        if after is not None:
            await after

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def flush(self) -> bool:
        """One batch to the graph, history and audit log. False if the graph was away (the batch
        is kept for the next try)."""
        async with self._flushing:
            ok = await self._flush()
        await self.settle()
        return ok

    async def _flush(self) -> bool:
        batch = self._take_batch()
        self._take_history()
        if self._drift:
            self._reconciled.append(reconcile(self._drift, self._policy_of))
            self._drift = []
        drift = self._reconciled
        if not batch and not any(drift):
            self._reconciled = []
            await self._follow_up([], 0, [])
            return True
        rows = [
            value_row(twin_id, p.value, p.at_ns // 1_000_000, p.quality, p.source_id)
            for twin_id, p in batch.items()
        ]
        health = [r for d in drift for r in d.health_rows]
        opened = [r for d in drift for r in d.open_rows]
        updated = [r for d in drift for r in d.update_rows]
        try:
            written = await asyncio.to_thread(
                self._writer.write_batch, rows, health, opened, updated
            )
        except UNAVAILABLE as exc:
            self.stats.write_failures += 1
            log.warning("graph write failed, %d points kept for retry: %s", len(batch), exc)
            self._restore(batch)
            await self._follow_up([], 0, [])  # the history is written while the graph is away
            return False
        done = time.time()
        self._reconciled = []
        self.last_flush_at = done
        self.stats.batches += 1
        self.stats.written += written
        if batch:
            received = np.fromiter((p.received_at for p in batch.values()), float, len(batch))
            self.stats.add_latencies(done - received)
        await self._follow_up(rows, written, drift)
        for d in drift:
            for url, body in d.alerts:
                self._send_alert(url, body)
        return True

    async def _follow_up(
        self, rows: list[dict[str, Any]], written: int, drift: list[Reconciled]
    ) -> None:
        """Starts the follow-up of a flush (audit record, history file when due) once the last
        one is done: the audit chain keeps batch order, and at most one follow-up runs beside
        the next write."""
        history_due = self._history_store.due()
        if not rows and not drift and not history_due:
            return
        await self.settle()
        totals = {
            "received": self.stats.received,
            "accepted": self.stats.accepted,
            "rejected": sum(self.stats.rejected.values()),
            "written": self.stats.written,
        }
        self._after = asyncio.ensure_future(
            asyncio.to_thread(self._after_batch, rows, written, drift, totals, history_due)
        )

    def _after_batch(
        self,
        rows: list[dict[str, Any]],
        written: int,
        drift: list[Reconciled],
        totals: dict[str, int],
        history_due: bool,
    ) -> None:
        self._audit_batch(rows, written, drift, totals)
        if history_due:  # Parquet encoding and the file write
            self._history_store.flush()

    def _take_batch(self) -> dict[str, _Pending]:
        pending = self._pending
        if len(pending) <= self.settings.max_batch:
            self._pending = {}
            return pending
        # More than one batch waits (a backlog): the highest priority goes first.
        ranked = sorted(pending, key=lambda k: -pending[k].priority)
        batch = {k: pending.pop(k) for k in ranked[: self.settings.max_batch]}
        self._wake.set()
        return batch

    def _restore(self, batch: dict[str, _Pending]) -> None:
        for twin_id, p in batch.items():
            if twin_id not in self._pending:  # a newer value that arrived meanwhile wins
                self._pending[twin_id] = p

    def _take_history(self) -> None:
        h, self._history = self._history, _History()
        if h.twin_ids:
            self._history_store.append(h.twin_ids, h.times_ns, h.values, h.qualities, h.sources)

    def _audit_batch(
        self,
        rows: list[dict[str, Any]],
        written: int,
        drift: list[Reconciled],
        totals: dict[str, int],
    ) -> None:
        if rows:
            digest = hashlib.sha256()
            for r in rows:
                value = r["props"]["value"]
                digest.update(f"{r['twin_id']}\x1f{r['at_ms']}\x1f{value!r}\n".encode())
            self._audit.append(
                "sync_batch",
                {
                    "points": len(rows),
                    "written": written,
                    "sources": sorted({r["props"]["value_source"] for r in rows}),
                    "first_at_ms": min(r["at_ms"] for r in rows),
                    "last_at_ms": max(r["at_ms"] for r in rows),
                    "rows_sha256": digest.hexdigest(),
                    "totals": totals,
                },
                actor="sync",
            )
        for d in drift:
            for kind, payload in d.audit:
                self._audit.append(kind, payload, actor="sync")

    def _send_alert(self, url: str, body: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(post_alert(url, body))
        self._alert_tasks.add(task)
        task.add_done_callback(self._alert_tasks.discard)

    async def close(self) -> None:
        """Stops flushing; writes what is left to the graph (if it is there) and to history."""
        self.stop()
        try:
            await self.drain()
        finally:
            await self.settle()
        if self._alert_tasks:
            await asyncio.gather(*self._alert_tasks, return_exceptions=True)
        await asyncio.to_thread(self._history_store.flush)


def epoch_ns(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("source times must be timezone-aware")
    return int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1_000
