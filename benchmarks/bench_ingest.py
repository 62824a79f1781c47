"""Telemetry ingest benchmark: the whole pipeline into Neo4j + history + audit log, against raw
batched Neo4j `SET`s of the same values, in the same run.

Set-up (untimed): N bare points (default 100,000) in a throwaway Neo4j.

- Baseline: batches of `batch` rows (random points, new values) written with one UNWIND SET
  each, back to back: the most the database takes without the pipeline.
- Sustained ingest: an in-process source submits readings of random points as fast as it can
  for `duration` seconds while the pipeline runs as in `graphtwin sync` (validation, per-point
  coalescing, batched writes in a worker thread, Parquet history, hash-chained audit log). It
  reports received, accepted, coalesced and written separately: with more updates than points
  per flush interval, several updates of one point become one write (the history keeps all).
- Latency: a paced source at `rate` updates/s for `latency_duration` seconds; change-to-graph
  latency is from a reading's receipt to the commit of the batch that wrote it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import info_table, markdown_table, note
from benchmarks.neo4j_server import BenchServer
from graphtwin.audit import AuditLog, verify_audit_log
from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import GraphWriter
from graphtwin.telemetry.bindings import PipelineSettings, SyncRule
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.readings import Reading
from graphtwin.telemetry.routing import Route

SOURCE = "bench"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    points: int = 100_000
    duration_s: float = 20.0
    batch: int = 20_000
    baseline_rows: int = 400_000
    rate: int = 10_000
    latency_duration_s: float = 10.0
    flush_interval_s: float = 0.1
    seed: int = 7


@dataclass
class IngestResults:
    options: IngestOptions
    server: dict[str, Any]
    baseline: dict[str, Any]
    sustained: dict[str, Any]
    latency: dict[str, Any]

    def report(self) -> str:
        o, b, s, lat = self.options, self.baseline, self.sustained, self.latency
        rows = [
            ["raw batched SET (baseline)", f"{b['rows_per_s']:,.0f}", "", "", "",
             f"{b['rows_per_s']:,.0f}", f"median batch {b['median_batch_ms']:.0f} ms"],
            ["pipeline, as fast as it can", f"{s['received_per_s']:,.0f}",
             f"{s['accepted']:,}", f"{s['coalesced']:,}", f"{s['written']:,}",
             f"{s['written_per_s']:,.0f}",
             f"history rows {s['history_rows']:,}, audit records {s['audit_records']:,}"],
            [f"pipeline, paced at {o.rate:,}/s", f"{lat['received_per_s']:,.0f}",
             f"{lat['accepted']:,}", f"{lat['coalesced']:,}", f"{lat['written']:,}",
             f"{lat['written_per_s']:,.0f}",
             f"change-to-graph p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms"],
        ]  # fmt: skip
        ratio = s["received_per_s"] / b["rows_per_s"]
        write_ratio = s["written_per_s"] / b["rows_per_s"]
        return "\n".join(
            [
                "## Telemetry ingest",
                "",
                info_table(self.server),
                "",
                markdown_table(
                    ["run", "received/s", "accepted", "coalesced", "written", "written/s", "notes"],
                    rows,
                ),
                "",
                f"Over {o.points:,} points, {o.duration_s:g} s sustained. Pipeline received/s "
                f"vs the raw SET's rows/s: **{ratio:.2f}x**; points written/s vs raw: "
                f"**{write_ratio:.2f}x** (target >= 0.9x: "
                f"**{'met' if write_ratio >= 0.9 else 'not met'}**). Target >= 50,000 updates/s: "
                f"**{'met' if s['received_per_s'] >= 50_000 else 'not met'}**; p99 <= 250 ms "
                f"at {o.rate:,}/s: **{'met' if lat['p99_ms'] <= 250 else 'not met'}**. "
                f"Audit log verified: {s['audit_ok']}.",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "options": dataclasses.asdict(self.options),
            "server": self.server,
            "baseline": self.baseline,
            "sustained": self.sustained,
            "latency": self.latency,
        }


def run_ingest(options: IngestOptions, server: BenchServer) -> IngestResults:
    rng = random.Random(options.seed)
    ids = [f"bench:p{i}" for i in range(options.points)]
    with TwinStore.open(server.settings) as store:
        store.reset()
        for start in range(0, len(ids), 20_000):
            store.write("bench/ingest_points_create", ids=ids[start : start + 20_000])
        note(f"ingest: {len(ids):,} points created")
        baseline = _baseline(store, ids, options, rng)
        note(f"ingest: raw SET {baseline['rows_per_s']:,.0f} rows/s")
        with tempfile.TemporaryDirectory(prefix="graphtwin-ingest-") as tmp:
            sustained = asyncio.run(_sustained(store, ids, options, rng, Path(tmp) / "fast"))
            note(f"ingest: pipeline received {sustained['received_per_s']:,.0f}/s")
            latency = asyncio.run(_paced(store, ids, options, rng, Path(tmp) / "paced"))
            note(f"ingest: paced p99 {latency['p99_ms']:.0f} ms")
        store.reset()
    return IngestResults(options, server.info(), baseline, sustained, latency)


def _baseline(
    store: TwinStore, ids: list[str], options: IngestOptions, rng: random.Random
) -> dict[str, Any]:
    durations = []
    written = 0
    now_ms = int(time.time() * 1000)
    for n in range(max(1, options.baseline_rows // options.batch)):
        rows = [
            {"twin_id": rng.choice(ids), "value": rng.random() * 100, "at_ms": now_ms + n,
             "quality": "good", "source": SOURCE}
            for _ in range(options.batch)
        ]  # fmt: skip
        started = time.perf_counter()
        written += store.write("bench/ingest_raw_set", rows=rows)[0]["written"]
        durations.append(time.perf_counter() - started)
    total = sum(durations)
    return {
        "rows": written,
        "seconds": round(total, 3),
        "rows_per_s": written / total,
        "median_batch_ms": statistics.median(durations) * 1000,
    }


def _pipeline(
    store: TwinStore, ids: list[str], options: IngestOptions, folder: Path
) -> tuple[IngestPipeline, HistoryStore, Path]:
    rule = SyncRule()
    routes = {(SOURCE, i): Route(i, None, rule) for i in ids}
    history = HistoryStore(folder / "history", retention_days=None)
    audit_path = folder / "audit.jsonl"
    settings = PipelineSettings(flush_interval_s=options.flush_interval_s, max_batch=options.batch)
    pipeline = IngestPipeline(routes, GraphWriter(store), history, AuditLog(audit_path), settings)
    return pipeline, history, audit_path


async def _sustained(
    store: TwinStore, ids: list[str], options: IngestOptions, rng: random.Random, folder: Path
) -> dict[str, Any]:
    pipeline, history, audit_path = _pipeline(store, ids, options, folder)
    runner = asyncio.create_task(pipeline.run(staleness_every_s=3600))
    started = time.perf_counter()
    deadline = started + options.duration_s
    submit, choice, rand = pipeline.submit, rng.choice, rng.random
    while time.perf_counter() < deadline:
        now = datetime.now(UTC)
        for _ in range(2_000):
            submit(Reading(SOURCE, choice(ids), rand() * 100, now))
        await asyncio.sleep(0)  # let the flush loop run between chunks, as connectors do
    produced_s = time.perf_counter() - started
    await pipeline.close()
    await runner
    drained_s = time.perf_counter() - started
    history.flush()
    stats = pipeline.stats
    return {
        "seconds": round(produced_s, 3),
        "drained_seconds": round(drained_s, 3),
        "received": stats.received,
        "received_per_s": stats.received / produced_s,
        "accepted": stats.accepted,
        "rejected": sum(stats.rejected.values()),
        "coalesced": stats.coalesced,
        "written": stats.written,
        "written_per_s": stats.written / drained_s,
        "batches": stats.batches,
        "history_rows": _history_rows(history),
        "audit_records": verify_audit_log(audit_path).records,
        "audit_ok": verify_audit_log(audit_path).ok,
    }


def _history_rows(history: HistoryStore) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(str(history.root), format="parquet", partitioning="hive").count_rows()


async def _paced(
    store: TwinStore, ids: list[str], options: IngestOptions, rng: random.Random, folder: Path
) -> dict[str, Any]:
    pipeline, _history, _audit = _pipeline(store, ids, options, folder)
    runner = asyncio.create_task(pipeline.run(staleness_every_s=3600))
    tick_s = 0.01
    per_tick = max(1, int(options.rate * tick_s))
    started = time.perf_counter()
    ticks = int(options.latency_duration_s / tick_s)
    for n in range(ticks):
        now = datetime.now(UTC)
        for _ in range(per_tick):
            pipeline.submit(Reading(SOURCE, rng.choice(ids), rng.random() * 100, now))
        await asyncio.sleep(max(0.0, started + (n + 1) * tick_s - time.perf_counter()))
    produced_s = time.perf_counter() - started
    await pipeline.close()
    await runner
    stats = pipeline.stats
    p50, p99 = stats.latency_quantiles(0.5, 0.99)
    return {
        "seconds": round(produced_s, 3),
        "received": stats.received,
        "received_per_s": stats.received / produced_s,
        "accepted": stats.accepted,
        "coalesced": stats.coalesced,
        "written": stats.written,
        "written_per_s": stats.written / produced_s,
        "p50_ms": (p50 or 0) * 1000,
        "p99_ms": (p99 or 0) * 1000,
    }
