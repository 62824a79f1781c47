"""BACnet benchmark: points per second through the connector, by ReadPropertyMultiple polling
and by COV, each against bare bacpypes3 doing the same reads in the same run.

A virtual BACnet device (graphtwin.virtual.bacnet_device) on 127.0.0.1 serves `objects`
analog-value objects; every round runs, in one asyncio loop with the device:

- poll, twin: a BacnetConnector with every object bound to a poll rule (a period shorter than
  one sweep, so sweeps run back to back) until `sweeps` values of every object reached its sink;
- poll, raw: a bacpypes3 application doing the connector's reads (batches.py) of the same
  objects, in the same batches, `sweeps` times, back to back: the first sweep reads each
  object whole (DESCRIBED, units included), the others what a poll reads (POLLED);
- COV, twin: the connector subscribed to every object; the device changes every object
  `changes` times, each change once the previous one reached the sink for every object;
- COV, raw: bacpypes3's own SubscriptionContextManager per object, one task per subscription
  reading its queue (get_value), the same changes.

The connector's poll round includes its start (one Who-Is, a few ms); the raw side's Who-Is
is outside its timing. Each measurement has a device of its own (a new one on a free port), so
that none inherits the subscriptions of the one before (abandoned, they would live on for their
lifetime and be notified of every change: each COV round slower than the one before).

The device shares the loop and the CPU with the client, as it does for both sides of each
ratio. Nothing reaches Neo4j: the pipeline's cost is the ingest benchmark's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness import Samples, markdown_table, note
from graphtwin.telemetry.bindings import BacnetSource, Binding, SyncRule
from graphtwin.telemetry.connectors.bacnet.batches import DESCRIBED, POLLED, batches
from graphtwin.telemetry.connectors.bacnet.connector import BacnetConnector
from graphtwin.telemetry.connectors.bacnet.stack import local_application
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint

POLL_TWIN, POLL_RAW = "poll: connector", "poll: bacpypes3"
COV_TWIN, COV_RAW = "COV: connector", "COV: bacpypes3"
DEVICE = 1500
TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class BacnetOptions:
    objects: int = 100
    sweeps: int = 5
    changes: int = 5
    repeat: int = 3
    warmup: int = 1


@dataclass(slots=True)
class BacnetResults:
    options: BacnetOptions
    samples: dict[str, Samples] = field(default_factory=dict)

    def values_per_s(self, name: str) -> float:
        o = self.options
        per_round = o.objects * (o.sweeps if name.startswith("poll") else o.changes)
        return per_round / self.samples[name].median

    def report(self) -> str:
        o = self.options
        rows = []
        for twin, raw in ((POLL_TWIN, POLL_RAW), (COV_TWIN, COV_RAW)):
            for name in (twin, raw):
                rows.append(
                    [
                        name,
                        f"{self.samples[name].median:.3f}",
                        f"{self.values_per_s(name):,.0f}",
                        f"{self.values_per_s(name) / self.values_per_s(raw):.2f}x"
                        if name == twin
                        else "",
                    ]
                )
        table = markdown_table(
            ["measurement", "median s per round", "values/s", "connector ÷ bacpypes3"], rows
        )
        return "\n".join(
            [
                "## BACnet",
                "",
                f"{o.objects} analog-value objects on one virtual device on 127.0.0.1; "
                f"polls: {o.sweeps} sweeps of ReadPropertyMultiple per round; COV: {o.changes} "
                f"changes of every object per round; {o.repeat} measured round(s) after "
                f"{o.warmup} warm-up, medians.",
                "",
                table,
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "options": {
                "objects": self.options.objects,
                "sweeps": self.options.sweeps,
                "changes": self.options.changes,
            },
            "samples": {k: v.to_json() for k, v in self.samples.items()},
            "values_per_s": {k: round(self.values_per_s(k)) for k in self.samples},
        }


def run_bacnet(options: BacnetOptions) -> BacnetResults:
    return asyncio.run(_run(options))


async def _run(options: BacnetOptions) -> BacnetResults:
    results = BacnetResults(options)
    for name in (POLL_TWIN, POLL_RAW, COV_TWIN, COV_RAW):
        results.samples[name] = Samples(name)
    points = [BacnetPoint("analog-value", i, f"av-{i}", 0.0) for i in range(options.objects)]
    for round_no in range(options.warmup + options.repeat):
        measured = round_no >= options.warmup
        runs = (
            (POLL_TWIN, _poll_twin),
            (POLL_RAW, _poll_raw),
            (COV_TWIN, _cov_twin),
            (COV_RAW, _cov_raw),
        )
        for name, measure in runs:
            async with BacnetDevice(DEVICE, points) as device:
                seconds = await measure(device, options, round_no)
            results.samples[name].add(seconds, measured=measured)
            note(f"{name}: round {round_no + 1}: {seconds:.3f} s")
    return results


def _source(device: BacnetDevice, name: str) -> BacnetSource:
    return BacnetSource(
        id=name,
        type="bacnet",
        local="127.0.0.1:0",
        device=device.instance,
        address=device.address,
        timeout_s=5,
    )


def _bindings(device: BacnetDevice, source: str) -> list[Binding]:
    return [
        Binding(
            source=source,
            point={"twin_id": f"urn:bench:{p.instance}"},
            object_type=p.object_type,
            instance=p.instance,
        )
        for p in device.points.values()
    ]


@contextlib.asynccontextmanager
async def _connector(
    device: BacnetDevice, rule: SyncRule, sink: Callable[[Reading], None]
) -> AsyncIterator[None]:
    """The connector, every object bound under `rule`, running for the block."""
    connector = BacnetConnector(
        _source(device, "bench"), _bindings(device, "bench"), lambda _b: rule
    )
    task = asyncio.create_task(connector.run(sink, SourceHealth("bench")))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _poll_twin(device: BacnetDevice, options: BacnetOptions, _round: int) -> float:
    """Seconds from the connector's start until `sweeps` values of every object reached it."""
    seen = 0
    done = asyncio.Event()
    expected = options.objects * options.sweeps

    def sink(_reading: Reading) -> None:
        nonlocal seen
        seen += 1
        if seen >= expected:
            done.set()

    start = time.perf_counter()
    async with _connector(device, SyncRule(mode="poll", period_s=0.001), sink):
        await asyncio.wait_for(done.wait(), TIMEOUT_S)
        return time.perf_counter() - start


async def _poll_raw(device: BacnetDevice, options: BacnetOptions, _round: int) -> float:
    from bacpypes3.pdu import Address
    from bacpypes3.primitivedata import ObjectIdentifier

    app = local_application("127.0.0.1:0", "bench-raw", timeout_s=5)
    try:
        address = Address(device.address)
        await app.who_is(device.instance, device.instance, address)
        identifiers = [
            ObjectIdentifier((p.object_type, p.instance)) for p in device.points.values()
        ]
        start = time.perf_counter()
        values = 0
        for sweep in range(options.sweeps):
            properties = DESCRIBED if sweep == 0 else POLLED
            for batch in batches(identifiers, device.max_apdu, len(properties)):
                request: list[Any] = []
                for identifier in batch:
                    request += [identifier, list(properties)]
                answer = await app.read_property_multiple(address, request)
                values += sum(1 for _i, prop, _x, _v in answer if str(prop) == "present-value")
        seconds = time.perf_counter() - start
        assert values == options.objects * options.sweeps, values
        return seconds
    finally:
        app.close()


class _Changes:
    """Follows one change of every object at a time: `seen` is called with each value that
    arrives; `wait` returns once every object reported the value of the current change."""

    def __init__(self, objects: int) -> None:
        self.objects = objects
        self.target: float | None = None
        self.matched: set[object] = set()
        self.arrived = 0
        self.done = asyncio.Event()

    def seen(self, key: object, value: object) -> None:
        self.arrived += 1
        if value == self.target and key not in self.matched:
            self.matched.add(key)
            if len(self.matched) == self.objects:
                self.done.set()

    async def play(
        self, device: BacnetDevice, options: BacnetOptions, round_no: int, side: int
    ) -> float:
        """Seconds for `changes` changes of every object, each waited for in full (COV
        notifications are UDP datagrams: sent all at once, many would be dropped)."""
        start = time.perf_counter()
        for change in range(options.changes):
            self.target = float(round_no * 1000 + side * 100 + change + 1)  # always a change
            self.matched.clear()
            self.done.clear()
            device.set_many({name: self.target for name in device.points})
            await asyncio.wait_for(self.done.wait(), TIMEOUT_S)
        return time.perf_counter() - start


async def _cov_twin(device: BacnetDevice, options: BacnetOptions, round_no: int) -> float:
    changes = _Changes(options.objects)
    rule = SyncRule(mode="subscribe", period_s=1.0)
    async with _connector(device, rule, lambda r: changes.seen(r.address, r.value)):
        await _settled(lambda: changes.arrived, options.objects * 2)  # first read and notice
        return await changes.play(device, options, round_no, 0)


async def _cov_raw(device: BacnetDevice, options: BacnetOptions, round_no: int) -> float:
    from bacpypes3.pdu import Address
    from bacpypes3.primitivedata import ObjectIdentifier

    app = local_application("127.0.0.1:0", "bench-raw", timeout_s=5)
    address = Address(device.address)
    changes = _Changes(options.objects)

    async def follow(subscription: Any, key: str) -> None:
        while True:
            prop, value = await subscription.get_value()
            if str(prop) == "present-value":
                changes.seen(key, value)

    async with contextlib.AsyncExitStack() as stack:
        readers = []
        for p in device.points.values():
            identifier = ObjectIdentifier((p.object_type, p.instance))
            subscription = await stack.enter_async_context(
                app.change_of_value(address, identifier, None, False, 300)
            )
            readers.append(asyncio.create_task(follow(subscription, str(identifier))))
        try:
            await _settled(lambda: changes.arrived, options.objects)  # the first notifications
            return await changes.play(device, options, round_no, 1)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            stack.pop_all()  # abandoned, not cancelled: the device forgets them at its close
            app.close()


async def _settled(count: Any, at_least: int, quiet_s: float = 0.2) -> None:
    """Until `count()` reached `at_least` and stopped growing for `quiet_s`."""
    deadline = time.monotonic() + TIMEOUT_S
    last = -1
    while time.monotonic() < deadline:
        now = count()
        if now >= at_least and now == last:
            return
        last = now
        await asyncio.sleep(quiet_s)
    raise TimeoutError(f"only {count()} of {at_least} first values arrived")
