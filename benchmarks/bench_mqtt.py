"""MQTT benchmark: values per second into the twin's ingest pipeline, plain topics and Sparkplug B,
against bare aiomqtt receiving the same messages from the same broker in the same round.

Each round, for each format, a publisher process sends the same message stream to an amqtt
broker on 127.0.0.1 (the tests' broker), and it is received twice, one after the other:

- `aiomqtt (raw)`: a bare aiomqtt client that subscribes and counts messages (the baseline:
  what the broker and the client library deliver on this machine);
- `twin connector -> pipeline`: graphtwin's MqttConnector decoding every message (a number per
  plain topic; a Sparkplug DDATA of many metrics by alias) and offering each value to the
  IngestPipeline (validation, routing, coalescing, history buffer; the graph write is left out,
  measured by `python -m benchmarks ingest`).

Both are broker-bound on a small machine, so the round also feeds the same encoded messages
straight to the connector's decoder and the pipeline without a broker: `decode + pipeline
(no broker)`, the twin's own ceiling, which issue 22's target (>= 20,000 values/s into the
pipeline) is judged on. Values/s are medians over the rounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import aiomqtt
import pysparkplug as spb

from benchmarks.harness import markdown_table, note
from graphtwin.audit import AuditLog
from graphtwin.store.graph_writer import GraphWriter
from graphtwin.telemetry.bindings import Binding, MqttSource, SyncRule
from graphtwin.telemetry.connectors.mqtt.connector import MqttConnector
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.readings import SourceHealth
from graphtwin.telemetry.routing import Route
from tests.support.mqtt_broker import MqttBroker

TARGET_VALUES_PER_S = 20_000
RAW, TWIN, CEILING = "aiomqtt (raw)", "twin connector -> pipeline", "decode + pipeline (no broker)"
GROUP, EDGE = "bench", "edge-1"


@dataclass(frozen=True, slots=True)
class MqttOptions:
    messages: int = 20_000  # plain messages (one value each) per round
    points: int = 500  # plain topics, and Sparkplug metrics per device
    ddata: int = 2_000  # Sparkplug DDATA messages per round
    metrics_per_ddata: int = 50
    repeat: int = 3
    warmup: int = 1


@dataclass(slots=True)
class MqttResults:
    options: MqttOptions
    rates: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # format -> what -> /s

    def median(self, fmt: str, what: str) -> float:
        values = sorted(self.rates[fmt][what])
        return values[len(values) // 2]

    def report(self) -> str:
        o = self.options
        rows = []
        for fmt in self.rates:
            raw = self.median(fmt, RAW)
            for what in (RAW, TWIN, CEILING):
                rate = self.median(fmt, what)
                rows.append([fmt, what, f"{rate:,.0f}", f"{rate / raw:.2f}"])
        ceiling = min(self.median(f, CEILING) for f in self.rates)
        return "\n".join(
            [
                "## MQTT",
                "",
                f"{o.repeat} measured round(s) after {o.warmup} warm-up; plain: {o.messages} "
                f"messages of one value on {o.points} topics; Sparkplug B: {o.ddata} DDATA of "
                f"{o.metrics_per_ddata} metrics by alias. Values/s, medians; ratio to raw.",
                "",
                markdown_table(["format", "receiver", "values/s", "x raw"], rows),
                "",
                f"Target >= {TARGET_VALUES_PER_S:,} values/s into the pipeline: "
                + ("met" if ceiling >= TARGET_VALUES_PER_S else "MISSED")
                + f" ({ceiling:,.0f} values/s without the broker, the slower format).",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "options": {k: getattr(self.options, k) for k in self.options.__dataclass_fields__},
            "values_per_s": {
                fmt: {
                    what: {"median": self.median(fmt, what), "rounds": rates}
                    for what, rates in by_what.items()
                }
                for fmt, by_what in self.rates.items()
            },
        }


# --- the message streams ----------------------------------------------------------------------


def plain_stream(options: MqttOptions) -> list[tuple[str, bytes]]:
    return [
        (f"bench/p{i % options.points}/value", f"{20 + (i % 997) / 100:.2f}".encode())
        for i in range(options.messages)
    ]


def sparkplug_stream(options: MqttOptions) -> tuple[list[tuple[str, bytes]], int]:
    """Births, then DDATA of `metrics_per_ddata` metrics of one device each; and how many
    values they carry."""
    devices = max(1, options.points // options.metrics_per_ddata)
    now = int(time.time() * 1000)
    metric = spb.DataType.DOUBLE
    bd = spb.Metric(None, "bdSeq", spb.DataType.INT64, 0)
    births = [
        (f"spBv1.0/{GROUP}/NBIRTH/{EDGE}", spb.NBirth(now, 0, [bd]).encode(include_dtypes=True))
    ]
    for d in range(devices):
        metrics = [
            spb.Metric(None, f"m{m}", metric, 0.0, alias=m)
            for m in range(options.metrics_per_ddata)
        ]
        births.append(
            (
                f"spBv1.0/{GROUP}/DBIRTH/{EDGE}/d{d}",
                spb.DBirth(now, 1, metrics).encode(include_dtypes=True),
            )
        )
    data = []
    for i in range(options.ddata):
        metrics = [
            spb.Metric(now + i, None, metric, float(i % 997 + m), alias=m)
            for m in range(options.metrics_per_ddata)
        ]
        data.append(
            (
                f"spBv1.0/{GROUP}/DDATA/{EDGE}/d{i % devices}",
                spb.DData(now + i, i % 256, metrics).encode(),
            )
        )
    values = (options.ddata + devices) * options.metrics_per_ddata  # births carry values too
    return births + data, values


def bindings_for(fmt: str, options: MqttOptions) -> list[Binding]:
    if fmt == "plain":
        return [
            Binding(source="mq", topic=f"bench/p{i}/value", point={"twin_id": f"p{i}"})
            for i in range(options.points)
        ]
    devices = max(1, options.points // options.metrics_per_ddata)
    return [
        Binding(source="mq", metric=f"{GROUP}/{EDGE}/d{d}/m{m}", point={"twin_id": f"d{d}m{m}"})
        for d in range(devices)
        for m in range(options.metrics_per_ddata)
    ]


def pipeline_for(bindings: list[Binding], folder: Path) -> IngestPipeline:
    """A pipeline that takes values and is never flushed (no graph, nothing written)."""
    routes = {
        ("mq", b.source_address): Route(b.point.twin_id or "", None, SyncRule()) for b in bindings
    }
    return IngestPipeline(
        routes,
        cast(GraphWriter, None),  # never flushed: the graph write is the ingest benchmark's
        HistoryStore(folder / "history", None),
        AuditLog(folder / "audit.jsonl"),
    )


# --- one round ------------------------------------------------------------------------------------


def _publish(broker: MqttBroker, stream_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_mqtt", str(broker.port), str(stream_file)]
    )


async def _receive_raw(
    broker: MqttBroker, topics: list[str], expected: int, start: asyncio.Event
) -> float:
    """The same subscriptions as the connector's (the broker matches each message to each)."""
    async with aiomqtt.Client("127.0.0.1", broker.port, max_queued_incoming_messages=0) as client:
        for topic in topics:
            await client.subscribe(topic, qos=0)
        start.set()
        got, first = 0, None
        async for _ in client.messages:
            first = first or time.perf_counter()
            got += 1
            if got == expected:
                return time.perf_counter() - first
    raise RuntimeError("the broker went away")


async def _receive_twin(
    broker: MqttBroker,
    source: MqttSource,
    bindings: list[Binding],
    expected: int,
    folder: Path,
    start: asyncio.Event,
) -> float:
    pipeline = pipeline_for(bindings, folder)
    health = SourceHealth("mq")
    task = asyncio.create_task(MqttConnector(source, bindings).run(pipeline.submit, health))
    try:
        while not health.connected:
            await asyncio.sleep(0.01)
        start.set()
        while pipeline.stats.received == 0:
            await asyncio.sleep(0.0005)
        first = time.perf_counter()
        while pipeline.stats.received < expected:
            await asyncio.sleep(0.001)
        return time.perf_counter() - first
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _through_broker(
    receive, broker: MqttBroker, stream_file: Path, timeout_s: float
) -> float:
    start = asyncio.Event()
    receiving = asyncio.create_task(receive(start))
    await start.wait()
    await asyncio.sleep(0.2)  # the subscription is in place at the broker
    publisher = _publish(broker, stream_file)
    try:
        return await asyncio.wait_for(receiving, timeout_s)
    finally:
        publisher.wait(timeout=60)


def _ceiling(
    stream: list[tuple[str, bytes]], source: MqttSource, bindings: list[Binding], folder: Path
) -> float:
    pipeline = pipeline_for(bindings, folder)
    decoder = MqttConnector(source, bindings).decoder
    health = SourceHealth("mq")
    started = time.perf_counter()
    for topic, payload in stream:
        decoder.handle(topic, payload, pipeline.submit, health)
    return time.perf_counter() - started


def run_mqtt(options: MqttOptions) -> MqttResults:
    results = MqttResults(options)
    with tempfile.TemporaryDirectory(prefix="bench-mqtt-") as tmp, MqttBroker(Path(tmp)) as broker:
        folder = Path(tmp)
        sparkplug, spb_values = sparkplug_stream(options)
        formats = {
            "plain": (plain_stream(options), options.messages, None),
            "sparkplug": (sparkplug, spb_values, {"group_id": GROUP}),
        }
        for fmt, (stream, values, settings) in formats.items():
            stream_file = folder / f"{fmt}.stream"
            stream_file.write_bytes(_pack(stream))
            source = MqttSource(
                id="mq",
                type="mqtt",
                broker=broker.url,
                qos=0,  # as the raw client subscribes
                sparkplug=settings,
                max_queued=10**7,
            )
            bindings = bindings_for(fmt, options)
            topics = MqttConnector(source, bindings).decoder.subscriptions()
            messages = len(stream)
            rates = results.rates.setdefault(fmt, {RAW: [], TWIN: [], CEILING: []})
            for round_no in range(options.warmup + options.repeat):
                measured = round_no >= options.warmup
                raw_s = asyncio.run(
                    _through_broker(
                        functools.partial(_receive_raw, broker, topics, messages),
                        broker,
                        stream_file,
                        120,
                    )
                )
                twin_s = asyncio.run(
                    _through_broker(
                        functools.partial(_receive_twin, broker, source, bindings, values, folder),
                        broker,
                        stream_file,
                        120,
                    )
                )
                ceiling_s = _ceiling(stream, source, bindings, folder)
                if measured:
                    rates[RAW].append(values / raw_s)
                    rates[TWIN].append(values / twin_s)
                    rates[CEILING].append(values / ceiling_s)
                note(
                    f"mqtt {fmt} round {round_no + 1}: raw {raw_s:.2f} s, twin {twin_s:.2f} s, "
                    f"no broker {ceiling_s:.2f} s for {values} values"
                )
    return results


# --- the publisher process ---------------------------------------------------------------------


def _pack(stream: list[tuple[str, bytes]]) -> bytes:
    out = bytearray()
    for topic, payload in stream:
        name = topic.encode()
        out += len(name).to_bytes(2, "big") + name + len(payload).to_bytes(4, "big") + payload
    return bytes(out)


def _unpack(data: bytes) -> list[tuple[str, bytes]]:
    stream, at = [], 0
    while at < len(data):
        n = int.from_bytes(data[at : at + 2], "big")
        topic = data[at + 2 : at + 2 + n].decode()
        at += 2 + n
        m = int.from_bytes(data[at : at + 4], "big")
        stream.append((topic, data[at + 4 : at + 4 + m]))
        at += 4 + m
    return stream


async def _publish_all(port: int, stream: list[tuple[str, bytes]]) -> None:
    async with aiomqtt.Client("127.0.0.1", port, max_queued_outgoing_messages=0) as client:
        births = [m for m in stream if "BIRTH" in m[0]]
        for topic, payload in births:  # births first, acknowledged: data needs them
            await client.publish(topic, payload, qos=1)
        for topic, payload in stream[len(births) :]:
            await client.publish(topic, payload, qos=0)
        await client.publish("bench/done", b"", qos=1, timeout=300)  # after the QoS 0 ones


if __name__ == "__main__":
    asyncio.run(_publish_all(int(sys.argv[1]), _unpack(Path(sys.argv[2]).read_bytes())))
