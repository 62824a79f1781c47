"""The graph writer the ingest pipeline, drift and early warnings share: one transaction per
batch, so a batch of values and the drift transitions found with it land together or not at all
(and are retried together)."""

from __future__ import annotations

from typing import Any

import neo4j

from graphtwin.store import statement_runner as runner
from graphtwin.store.graph_wait import GRAPH_AWAY
from graphtwin.store.twin_store import TwinStore

# What a database that went away looks like to the driver: the batch is kept and retried.
UNAVAILABLE = GRAPH_AWAY


def value_row(twin_id: str, value: float, at_ms: int, quality: str, source: str) -> dict[str, Any]:
    """One row of `write_batch`'s values: the point, its source time (epoch ms) and the
    properties one map SET gives it, health included (`health_of`).

    Example: ``value_row("ahu-1.sat", 16.5, 1_765_000_000_000, "good", "opcua")``
    """
    return {
        "twin_id": twin_id,
        "at_ms": at_ms,
        "props": {
            "value": value,
            "value_quality": quality,
            "value_source": source,
            "health": health_of(quality),
        },
    }


def health_of(quality: str) -> str:
    """A point's health from its value's quality: `fault` for a bad value, `uncertain` for an
    uncertain one (a device out of service or overridden), else `ok`. `stale` comes from
    staleness drift (drift/reconcile.py), not from a value.

    >>> [health_of(q) for q in ("good", "uncertain", "bad")]
    ['ok', 'uncertain', 'fault']
    """
    return {"bad": "fault", "uncertain": "uncertain"}.get(quality, "ok")


class GraphWriter:
    def __init__(self, store: TwinStore) -> None:
        self._store = store

    def write_batch(
        self,
        values: list[dict[str, Any]],
        health: list[dict[str, Any]],
        opened: list[dict[str, Any]],
        updated: list[dict[str, Any]],
    ) -> int:
        """Writes everything in one transaction; returns how many point values it took.

        `values` are `value_row`s; a value older than the one its point holds is skipped."""

        def work(tx: neo4j.Transaction) -> int:
            written = 0
            if values:
                [record] = runner.rows(tx, "telemetry/values_write", rows=values)
                written = record["written"]
            if health:
                runner.run(tx, "telemetry/health_set", rows=health)
            if opened:
                runner.run(tx, "drift/issues_open", rows=opened)
            if updated:
                runner.run(tx, "drift/issues_update", rows=updated)
            return int(written)

        # An explicit transaction, not the driver's retrying execute_write: while the database
        # is away the pipeline keeps the batch, counts the failure and retries with its backoff.
        with (
            self._store.driver.session(database=self._store.database) as session,
            session.begin_transaction() as tx,
        ):
            written = work(tx)
            tx.commit()
            return written

    def write_sources(self, rows: list[dict[str, Any]]) -> None:
        self._store.write("telemetry/sources_upsert", rows=rows)
