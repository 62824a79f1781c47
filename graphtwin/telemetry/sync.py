"""`graphtwin sync`: the connectors of a bindings file, feeding one ingest pipeline.

One asyncio loop runs everything: a task per connector, the pipeline's flush loop, and a loop
that publishes each data source's health as a `(:DataSource)` node. The API's `POST /telemetry`
feeds the same pipeline when the API runs in the same process (`graphtwin sync --serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections.abc import Awaitable
from typing import Any, Protocol

from graphtwin.audit import AuditKey, AuditKeySource, AuditLog
from graphtwin.drift.issues import DriftType
from graphtwin.drift.reconcile import Policy
from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import UNAVAILABLE, GraphWriter
from graphtwin.telemetry.bindings import BindingsFile, DataSource
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.http_ingest import HttpIngest
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.readings import ReadingSink, SourceHealth
from graphtwin.telemetry.routing import resolve_routes, with_reference_bindings

log = logging.getLogger(__name__)


class Connector(Protocol):
    source_id: str

    def run(self, sink: ReadingSink, health: SourceHealth) -> Awaitable[None]: ...


class TwinSync:
    def __init__(
        self,
        spec: BindingsFile,
        store: TwinStore,
        *,
        file: str = "bindings",
        audit_key: AuditKey | AuditKeySource | None = None,
    ) -> None:
        """`audit_key`: the MAC key of the audit log (`AuditKeySource.of(settings)`); without
        it the log's records are hash-chained only."""
        spec = with_reference_bindings(store, spec)  # a bacnet source's bind_references
        self.spec = spec
        self.file = file
        self._store = store
        routes = resolve_routes(store, spec, file)
        self._routes = routes
        self._writer = GraphWriter(store)
        self.history = HistoryStore(spec.history.dir, spec.history.retention_days)
        self.audit = AuditLog(spec.audit_log, key=audit_key)
        self.pipeline = IngestPipeline(
            routes,
            self._writer,
            self.history,
            self.audit,
            spec.pipeline,
            policy_of=self.policy_of,
        )
        self.health = {s.id: SourceHealth(s.id) for s in spec.sources}
        self.http = HttpIngest(spec, self.pipeline, store, self.health, self.audit)
        self._adopt_open_issues()

    def policy_of(self, rule_name: str | None) -> Policy:
        rule = self.spec.rules.get(rule_name or "default")
        return Policy(rule.reconcile, rule.webhook) if rule else Policy("alert")

    def _adopt_open_issues(self) -> None:
        """Issues an earlier run left open are carried on, not duplicated."""
        types = [str(DriftType.THRESHOLD), str(DriftType.STALENESS)]
        for row in self._store.read("drift/issues_unresolved", types=types):
            if row["type"] == DriftType.THRESHOLD:
                self.pipeline.thresholds.adopt(row["twin_id"], row["issue_id"], row["severity"])
            else:
                self.pipeline.staleness.adopt(row["twin_id"], row["issue_id"])

    def connectors(self) -> list[Connector]:
        made: list[Connector] = []
        for source in self.spec.sources:
            bindings = self.spec.bindings_of(source.id)
            if not bindings:
                continue
            match source.type:
                case "opcua":
                    from graphtwin.telemetry.connectors.opcua import OpcUaConnector

                    made.append(OpcUaConnector(source, bindings, self.spec.rule_of))
                case "modbus":
                    from graphtwin.telemetry.connectors.modbus import ModbusConnector

                    made.append(ModbusConnector(source, bindings, self.spec.rule_of))
                case "replay":
                    from graphtwin.telemetry.connectors.replay import ReplayConnector

                    made.append(ReplayConnector(source, bindings))
                case "mqtt":
                    from graphtwin.telemetry.connectors.mqtt.connector import MqttConnector

                    made.append(
                        MqttConnector(
                            source,
                            bindings,
                            self.spec.rule_of,
                            on_stale=functools.partial(self.pipeline.mark_stale, source.id),
                        )
                    )
                case "bacnet":
                    from graphtwin.telemetry.connectors.bacnet.connector import BacnetConnector

                    points = {a: r for (s, a), r in self._routes.items() if s == source.id}
                    made.append(BacnetConnector(source, bindings, self.spec.rule_of, points=points))
                case "http":
                    pass  # fed by the API's POST /telemetry
        return made

    async def run(self, *, duration_s: float | None = None) -> None:
        """Runs until cancelled (or for `duration_s`), then flushes and closes cleanly."""
        await asyncio.to_thread(self.history.prune)
        self.audit.append("sync_started", self._describe(), actor="sync")
        tasks = [
            asyncio.create_task(c.run(self.pipeline.submit, self.health[c.source_id]))
            for c in self.connectors()
        ]
        flusher = asyncio.create_task(self.pipeline.run())
        publisher = asyncio.create_task(self._publish_sources())
        try:
            if duration_s is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(duration_s)
        finally:
            for task in [*tasks, publisher]:
                task.cancel()
            for task in [*tasks, publisher]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.pipeline.close()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            await asyncio.to_thread(self._publish_once)
            self.audit.append("sync_stopped", self.pipeline.stats.as_dict(), actor="sync")
            self.audit.close()

    async def _publish_sources(self, every_s: float = 2.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            await asyncio.to_thread(self._publish_once)

    def _publish_once(self) -> None:
        try:
            self._writer.write_sources(self.source_rows())
        except UNAVAILABLE as exc:  # the pipeline counts and retries the graph; so do we
            log.warning("could not publish data source health: %s", exc)

    def source_rows(self) -> list[dict[str, Any]]:
        latency_p50 = self.pipeline.stats.latency_quantiles(0.5)[0]
        return [_source_row(self, s, latency_p50) for s in self.spec.sources]

    def _describe(self) -> dict[str, Any]:
        text = self.spec.model_dump_json(by_alias=True)
        return {
            "config": self.file,
            "config_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "sources": [s.id for s in self.spec.sources],
            "bindings": len(self.spec.bindings),
        }


def _source_row(sync: TwinSync, source: DataSource, latency_p50: float | None) -> dict[str, Any]:
    health = sync.health[source.id]
    counts = sync.pipeline.by_source.get(source.id)
    bindings = sync.spec.bindings_of(source.id)
    periods = [sync.spec.rule_of(b).period_s for b in bindings]
    return {
        "source_id": source.id,
        "type": source.type,
        "endpoint": source.endpoint,
        "frequency_s": min(periods) if periods else None,
        "connected": health.connected,
        "reliability": health.reliability,
        "last_success_ms": _ms(health.last_success),
        "last_failure_ms": _ms(health.last_failure),
        "last_failure_reason": health.last_failure_reason,
        "latency_ms_p50": None if latency_p50 is None else round(latency_p50 * 1000, 2),
        "received": counts.received if counts else 0,
        "accepted": counts.accepted if counts else 0,
        "rejected": counts.rejected if counts else 0,
        "bindings": len(bindings),
    }


def _ms(at: Any) -> int | None:
    return None if at is None else int(at.timestamp() * 1000)
