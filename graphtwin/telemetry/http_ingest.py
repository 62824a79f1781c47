"""Values pushed over HTTP (`POST /telemetry`, operator role) into the same ingest pipeline.

A push names its points by twin_id or by Brick timeseries id (`ref`). An http source with
bindings accepts only its bound points; one without bindings is open: it may update any point
of the twin, found in the graph once and remembered.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile, SyncRule
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.routing import Route

MAX_READINGS = 10_000


class PushedReading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    point: str | None = Field(default=None, min_length=1, description="twin_id of the point")
    ref: str | None = Field(default=None, min_length=1, description="its Brick timeseries id")
    value: Any = None
    timestamp: datetime | None = Field(default=None, description="Source time (ISO 8601).")
    quality: Literal["good", "uncertain", "bad"] = "good"

    @model_validator(mode="after")
    def _one_name(self) -> PushedReading:
        if (self.point is None) == (self.ref is None):
            raise ValueError("give exactly one of point and ref")
        if self.timestamp is not None and self.timestamp.tzinfo is None:
            raise ValueError("timestamp needs an offset (e.g. Z or +00:00)")
        return self

    @property
    def address(self) -> str:
        return self.point or f"ref:{self.ref}"


class TelemetryPush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, description="id of an http source of the bindings")
    readings: list[PushedReading] = Field(min_length=1, max_length=MAX_READINGS)


class UnknownSourceError(ValueError):
    """The push names no http source of the running sync."""


class HttpIngest:
    def __init__(
        self,
        spec: BindingsFile,
        pipeline: IngestPipeline,
        store: TwinStore,
        health: dict[str, SourceHealth],
    ) -> None:
        self._pipeline = pipeline
        self._store = store
        self._health = health
        http = [s.id for s in spec.sources if s.type == "http"]
        self.sources = set(http)
        self._open = {s for s in http if not spec.bindings_of(s)}
        self._rule = spec.rules.get("default") or SyncRule()

    async def push(self, push: TelemetryPush) -> dict[str, Any]:
        """Submits every reading; answers what was accepted and why the others were not."""
        if push.source not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            raise UnknownSourceError(f"{push.source!r} is not an http source (known: {known})")
        if push.source in self._open:
            await self._resolve(push.source, push.readings)
        now = datetime.now(UTC)
        rejected: dict[str, int] = {}
        examples: list[dict[str, Any]] = []
        for index, r in enumerate(push.readings):
            reason = self._pipeline.submit(
                Reading(push.source, r.address, r.value, r.timestamp or now, r.quality)
            )
            if reason is not None:
                rejected[reason] = rejected.get(reason, 0) + 1
                if len(examples) < 100:
                    examples.append({"index": index, "address": r.address, "reason": reason})
        health = self._health[push.source]
        health.connected = True
        health.success()
        accepted = len(push.readings) - sum(rejected.values())
        return {"accepted": accepted, "rejected": rejected, "rejections": examples}

    async def _resolve(self, source_id: str, readings: list[PushedReading]) -> None:
        """Finds the points of an open source's push that no route knows yet (one query). A miss
        is not remembered: the point may be imported a moment later."""
        unknown = {
            r.address: r for r in readings if not self._pipeline.has_route(source_id, r.address)
        }
        if not unknown:
            return
        refs = [{"key": a, "twin_id": r.point, "ref": r.ref} for a, r in unknown.items()]
        rows = await asyncio.to_thread(self._store.read, "telemetry/points_resolve", refs=refs)
        for row in rows:
            route = Route(row["twin_id"], None, self._rule)
            self._pipeline.add_route((source_id, row["key"]), route)
