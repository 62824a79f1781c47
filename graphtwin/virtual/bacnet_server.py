"""The virtual building as a BACnet/IP device: one analog-value object per observed point.

The BACnet counterpart of opcua_server.py, with the same interface for `ServedRun`
(`start`, `stop`, `sink`, `drain`, `endpoint`, `port`). Point number i (in the order of the
observed points) is `analog-value,i+1` of device `DEVICE_INSTANCE` on 127.0.0.1:<port>, named
by its twin id (object names are unique on a device), described by its name, with the BACnet
units of its EnergyPlus unit. Each timestep's changed values are written to the objects'
present-values, and COV subscribers are told. BACnet values carry no source time: a client
stamps them when they arrive, so a run served as fast as possible is stamped with wall time,
not simulated time.

EnergyPlus runs in a worker thread: `sink` queues each timestep for the loop (at most
`MAX_BEHIND` ahead), which writes them in order.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint
from graphtwin.virtual.engine import SampleSink
from importers.energyplus.observed import ObservedPoint

HOST = "127.0.0.1"
DEVICE_INSTANCE = 2001
MAX_BEHIND = 64
PUBLISH_TIMEOUT_S = 60.0

UNITS = {
    "C": "degrees-celsius",
    "%": "percent",
    "kg/s": "kilograms-per-second",
    "m3/s": "cubic-meters-per-second",
    "W": "watts",
    "J": "joules",
    "Pa": "pascals",
    "kgWater/kgDryAir": "kilograms-per-kilogram",
}
"""EnergyPlus units -> BACnet engineering units (others: no-units)."""


def bacnet_points(points: Sequence[ObservedPoint]) -> list[BacnetPoint]:
    """The device's objects for the observed points, in their order (see the module doc)."""
    return [
        BacnetPoint(
            "analog-value",
            i + 1,
            p.twin_id[:255],
            0.0,
            UNITS.get(p.unit, "no-units"),
            p.name,
        )
        for i, p in enumerate(points)
    ]


class VirtualBacnetServer:
    """Serves observed points as a BACnet device (see the module doc); `port=0` picks a free
    UDP port."""

    def __init__(self, points: Sequence[ObservedPoint], *, port: int = 0) -> None:
        self.points = list(points)
        self.device = BacnetDevice(
            DEVICE_INSTANCE, bacnet_points(self.points), host=HOST, port=port or None
        )
        self._queue: asyncio.Queue[dict[str, float]] | None = None
        self._room = threading.Semaphore(MAX_BEHIND)
        self._writer: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    @property
    def port(self) -> int:
        return self.device.port

    @property
    def endpoint(self) -> str:
        return f"bacnet://{self.device.address}/{self.device.instance}"

    def instance(self, twin_id: str) -> int:
        """The analog-value instance of a point."""
        return next(i + 1 for i, p in enumerate(self.points) if p.twin_id == twin_id)

    async def start(self) -> None:
        await self.device.start()
        self._queue = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_queued())

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        await self.device.stop()

    def publish(self, values: Mapping[str, float]) -> None:
        """One timestep's values on the objects (an unchanged value is not written again)."""
        served = self.device
        for twin_id, value in values.items():
            served.set(twin_id[:255], float(value))

    def sink(
        self, loop: asyncio.AbstractEventLoop, _served_at: Callable[[datetime], datetime]
    ) -> SampleSink:
        """A sample sink for the engine's thread (BACnet carries no source time)."""

        def on_sample(_now: datetime, values: dict[str, float]) -> None:
            if self._failure is not None:
                raise self._failure
            if not self._room.acquire(timeout=PUBLISH_TIMEOUT_S):
                raise TimeoutError(f"the BACnet device wrote nothing for {PUBLISH_TIMEOUT_S} s")
            queue = self._queue
            if queue is None:
                raise RuntimeError("the device is not running")
            loop.call_soon_threadsafe(queue.put_nowait, values)

        return on_sample

    async def drain(self) -> None:
        """Wait until every queued timestep is written (raises what writing raised)."""
        if self._queue is None or self._writer is None:
            return
        joined = asyncio.ensure_future(self._queue.join())
        try:
            await asyncio.wait({joined, self._writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            joined.cancel()
        if self._failure is not None:
            raise self._failure

    async def _write_queued(self) -> None:
        assert self._queue is not None
        while True:
            values = await self._queue.get()
            try:
                self.publish(values)
            except Exception as exc:  # raised in the engine's thread and by drain()
                self._failure = exc
                raise
            finally:
                self._queue.task_done()
                self._room.release()
            await asyncio.sleep(0)  # let the device answer its clients between timesteps
