"""Values pushed through the API into the same ingest pipeline as every connector's: the REST
door (`POST /telemetry`) and the GraphQL one (`recordPointValues`), both operator role.

Both doors validate a push with the same model (`TelemetryPush`: at most `MAX_READINGS`
readings, a quality of good|uncertain|bad, a source time with an offset), hand every reading to
the pipeline (which rejects what no point takes, what is not a number and what is stamped too
far in the future, and backfills what is older than the point's current value), and record the
push in the audit log with its caller and the points it wrote.

A push names its points by twin_id or by Brick timeseries id (`ref`). An http source with
bindings accepts only its bound points; one without bindings is open: it may update any point
of the twin, found in the graph once and remembered.

Neo4j away: given a `GraphWait`, a push waits for the graph only that long. Points the pipeline
already routes are then taken into its bounded buffer (written when Neo4j returns; the time of
each point's value is the one the pipeline remembers); a push naming a point of an open source
that was never found cannot be taken (`GraphAwayError`, nothing taken: the API answers 503 with
`Retry-After`). `flush` waits that long, too, for the values to reach the graph.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graphtwin.audit import AuditLog
from graphtwin.errors import GraphAwayError, InputError, UnknownSourceError
from graphtwin.store import TwinStore
from graphtwin.store.graph_wait import GraphWait
from graphtwin.telemetry.bindings import BindingsFile, SyncRule
from graphtwin.telemetry.pipeline import IngestPipeline, epoch_ns
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.routing import Route, selected_rules
from graphtwin.telemetry.stats import Outcome, Rejection
from graphtwin.yaml_spec import published_schema

MAX_READINGS = 10_000
"""Readings in one push, at most (either door)."""
MAX_NAME_LENGTH = 500
"""Characters of a point's twin_id or ref, at most."""
MAX_EXAMPLES = 100
"""Rejected readings an answer names one by one (all are counted)."""
DEPRECATED_NAMES = {"timestamp": "at"}
"""Old field names of a reading still accepted, each with the name that replaces it."""

Quality = Literal["good", "uncertain", "bad"]


class PushedReading(BaseModel):
    """One value of a point, as a gateway or BMS sends it."""

    model_config = ConfigDict(extra="forbid")

    point: str | None = Field(
        default=None, min_length=1, max_length=MAX_NAME_LENGTH, description="twin_id of the point"
    )
    ref: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        description="its Brick timeseries id (`ref:hasTimeseriesId`)",
    )
    value: Any = Field(default=None, description="A number (or true/false).")
    at: datetime | None = Field(
        default=None,
        description="Source time, ISO 8601 with an offset (e.g. 2026-11-21T09:00:00Z); default: "
        "when the push was received. At most the pipeline's max_clock_skew_s ahead of the "
        "server's clock; an older time than the point's current value is backfilled.",
    )
    timestamp: datetime | None = Field(
        default=None,
        deprecated=True,
        description="Deprecated name of `at` (answered with a Deprecation header).",
    )
    quality: Quality = Field(default="good", description="The source's judgement of the value.")

    @model_validator(mode="after")
    def _one_name(self) -> PushedReading:
        if (self.point is None) == (self.ref is None):
            raise ValueError("give exactly one of point and ref")
        old = self.__dict__["timestamp"]  # read past the deprecation warning: we handle it here
        if old is not None:
            if self.at is not None:
                raise ValueError("give at, not both at and its deprecated name timestamp")
            self.at = old
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("at needs an offset (e.g. Z or +00:00)")
        return self

    @property
    def address(self) -> str:
        return self.point or f"ref:{self.ref}"

    @property
    def name(self) -> str:
        """The point as the push names it."""
        return self.point or f"ref {self.ref}"


class TelemetryPush(BaseModel):
    """The body of `POST /telemetry`."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        min_length=1, max_length=200, description="id of an http source of the bindings"
    )
    readings: list[PushedReading] = Field(min_length=1, max_length=MAX_READINGS)

    def deprecated_names(self) -> list[str]:
        """The deprecated field names this push used (each is still accepted)."""
        used = {n for r in self.readings for n in DEPRECATED_NAMES if n in r.model_fields_set}
        return sorted(used)


def telemetry_push_json_schema() -> dict[str, Any]:
    return published_schema(
        TelemetryPush.model_json_schema(),
        schema_id="https://graphtwin.dev/schemas/telemetry-push.schema.json",
        title="graphtwin POST /telemetry body",
    )


class RejectedReadingsError(InputError):
    """An all-or-nothing push (GraphQL `recordPointValues`) held readings the pipeline would
    refuse; nothing was taken. Names each one (index, point, reason)."""

    def __init__(self, rejected: list[dict[str, Any]]) -> None:
        shown = "; ".join(
            f"values[{r['index']}] ({r['point']}): {r['reason']}" for r in rejected[:10]
        )
        more = f" (and {len(rejected) - 10} more)" if len(rejected) > 10 else ""
        super().__init__(f"{len(rejected)} value(s) refused, nothing recorded: {shown}{more}")
        self.rejected = rejected


class HttpIngest:
    def __init__(
        self,
        spec: BindingsFile,
        pipeline: IngestPipeline,
        store: TwinStore,
        health: dict[str, SourceHealth],
        audit: AuditLog,
    ) -> None:
        self._pipeline = pipeline
        self._store = store
        self._health = health
        self._audit = audit
        self._spec = spec
        http = [s.id for s in spec.sources if s.type == "http"]
        self.sources = set(http)
        self._open = {s for s in http if not spec.bindings_of(s)}
        self._rule = spec.rules.get("default") or SyncRule()

    def default_source(self) -> str:
        """The http source a push that names none goes to: the only one there is."""
        if len(self.sources) != 1:
            known = ", ".join(sorted(self.sources)) or "none"
            raise UnknownSourceError(None, f"name the http source to push to (known: {known})")
        return next(iter(self.sources))

    async def push(
        self,
        push: TelemetryPush,
        actor: str,
        *,
        all_or_nothing: bool = False,
        graph: GraphWait | None = None,
    ) -> dict[str, Any]:
        """Submits every reading and records the push in the audit log; answers what was
        accepted (current or backfilled) and why the others were not. `all_or_nothing`: if any
        reading would be rejected, a RejectedReadingsError and nothing is taken. `graph`: how
        long to wait for Neo4j (default: as long as it takes); GraphAwayError if it is away and
        the push names a point that only the graph can find (nothing is taken)."""
        if push.source not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            raise UnknownSourceError(
                push.source, f"{push.source!r} is not an http source (known: {known})"
            )
        if graph is None:
            await self._resolve(push.source, push.readings)
        else:
            try:
                await graph.call(lambda: self._resolve(push.source, push.readings))
            except GraphAwayError:
                self._check_routed(push.source, push.readings, graph)  # or nothing is taken
        now = datetime.now(UTC)
        readings = [
            Reading(push.source, r.address, r.value, r.at or now, r.quality) for r in push.readings
        ]
        if all_or_nothing:
            refused = [
                {"index": i, "point": push.readings[i].name, "reason": reason}
                for i, reading in enumerate(readings)
                if (reason := self._pipeline.check(reading)) is not None
            ]
            if refused:
                raise RejectedReadingsError(refused)
        outcomes = {Outcome.CURRENT: 0, Outcome.BACKFILLED: 0, Outcome.UNCHANGED: 0}
        rejected: dict[str, int] = {}
        examples: list[dict[str, Any]] = []
        taken: list[tuple[str, int, float]] = []
        for index, reading in enumerate(readings):
            outcome = self._pipeline.offer(reading)
            if outcome in Rejection.ALL:
                rejected[outcome] = rejected.get(outcome, 0) + 1
                if len(examples) < MAX_EXAMPLES:
                    examples.append({"index": index, "address": reading.address, "reason": outcome})
                continue
            outcomes[outcome] += 1
            if outcome == Outcome.UNCHANGED:
                continue  # inside the deadband: nothing was written
            twin_id = self._pipeline.twin_id_of(push.source, reading.address)
            assert twin_id is not None and reading.source_time is not None  # it was accepted
            at_ms = epoch_ns(reading.source_time) // 1_000_000
            taken.append((twin_id, at_ms, float(reading.value)))  # type: ignore[arg-type]
        health = self._health[push.source]
        health.connected = True
        health.success()
        result = {
            "accepted": len(readings) - sum(rejected.values()),
            "current": outcomes[Outcome.CURRENT],
            "backfilled": outcomes[Outcome.BACKFILLED],
            "unchanged": outcomes[Outcome.UNCHANGED],
            "rejected": rejected,
            "rejections": examples,
        }
        record = {"source": push.source, "readings": len(readings), **result, **_written(taken)}
        await asyncio.to_thread(self._audit.append, "telemetry_push", record, actor)
        return result

    async def flush(self, graph: GraphWait) -> None:
        """Waits, as long as `graph` allows, until the values taken so far are in the graph;
        GraphAwayError if they are not (they stay in the pipeline's buffer and are written when
        Neo4j answers again)."""
        if not await graph.call(self._pipeline.flush):
            raise graph.failed("the graph did not take the batch")

    def _check_routed(
        self, source_id: str, readings: list[PushedReading], graph: GraphWait
    ) -> None:
        """Neo4j is away: the push can be taken only if the pipeline routes every point it names
        (a point of an open source is found in the graph the first time); else GraphAwayError.
        A bound source's routes are all known: what they lack is an unknown point, rejected
        one by one as always."""
        if source_id not in self._open:
            return
        unrouted = sorted(
            {r.name for r in readings if not self._pipeline.has_route(source_id, r.address)}
        )
        if unrouted:
            shown = ", ".join(unrouted[:5]) + (
                f" (and {len(unrouted) - 5} more)" if len(unrouted) > 5 else ""
            )
            raise GraphAwayError(
                f"Neo4j is away and the push names points only the graph can find: {shown}; "
                "nothing was taken",
                retry_after_s=graph.retry_after_s,
            )

    async def _resolve(self, source_id: str, readings: list[PushedReading]) -> None:
        """Reads the pushed points from the graph (one query): the time of the value each
        holds, so that what is older is backfilled whatever the pipeline remembers, and, for an
        open source, the points no route knows yet. A miss is not remembered: the point may be
        imported a moment later."""
        named = {r.address: r for r in readings}
        refs = [{"key": a, "twin_id": r.point, "ref": r.ref} for a, r in named.items()]
        rows = await asyncio.to_thread(self._store.read, "telemetry/points_resolve", refs=refs)
        new = [
            r["twin_id"]
            for r in rows
            if source_id in self._open and not self._pipeline.has_route(source_id, r["key"])
        ]
        selected = await asyncio.to_thread(selected_rules, self._store, self._spec, new)
        for row in rows:
            key, twin_id = row["key"], row["twin_id"]
            known = self._pipeline.twin_id_of(source_id, key)
            if known is None and source_id in self._open:
                name = selected.get(twin_id)
                rule = self._spec.rules[name] if name else self._rule
                name = name or ("default" if "default" in self._spec.rules else None)
                self._pipeline.add_route((source_id, key), Route(twin_id, name, rule))
                known = twin_id
            if known == twin_id:
                self._pipeline.graph_holds(twin_id, row["value_at_ms"])


def _written(taken: list[tuple[str, int, float]]) -> dict[str, Any]:
    """What a push gave the twin, for its audit record: the points it wrote (each once, sorted),
    the time span of its values, and a sha256 of its (point, time, value) lines, the form the
    pipeline's `sync_batch` records use, so an auditor can tell who set a value."""
    if not taken:
        return {"points": [], "values_sha256": None}
    digest = hashlib.sha256()
    for twin_id, at_ms, value in taken:
        digest.update(f"{twin_id}\x1f{at_ms}\x1f{value!r}\n".encode())
    return {
        "points": sorted({twin_id for twin_id, _, _ in taken}),
        "first_at_ms": min(at_ms for _, at_ms, _ in taken),
        "last_at_ms": max(at_ms for _, at_ms, _ in taken),
        "values_sha256": digest.hexdigest(),
    }
