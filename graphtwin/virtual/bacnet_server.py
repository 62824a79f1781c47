"""The virtual building as a BACnet/IP device: one analog-value object per observed point.

The BACnet counterpart of opcua_server.py, with the same interface for `ServedRun`
(`start`, `stop`, `sink`, `drain`, `endpoint`, `port`). Point number i (in the order of the
observed points) is `analog-value,i+1` of device `DEVICE_INSTANCE` on 127.0.0.1:<port>, named
by its twin id (object names are unique on a device), described by its name, with the BACnet
units of its EnergyPlus unit. Each timestep's changed values are written to the objects'
present-values, and COV subscribers are told. BACnet values carry no source time: a client
stamps them when they arrive, so a run served as fast as possible is stamped with wall time,
not simulated time.

The device comes online with the first timestep, its objects holding that timestep's values:
BACnet has no "no value yet" (OPC UA's BadWaitingForInitialData), and a client reading objects
that held a made-up zero would judge it (a zone at 0 degC is a threshold issue). Until then its
port is reserved but nothing answers: a client's Who-Is times out and it tries again.

EnergyPlus runs in a worker thread: `sink` queues each timestep for the loop, which writes them
in order (timestep_queue.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint
from graphtwin.virtual.timestep_queue import ServesTimesteps, Timestep, TimestepQueue
from importers.energyplus.observed import ObservedPoint

HOST = "127.0.0.1"
DEVICE_INSTANCE = 2001

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


class VirtualBacnetServer(ServesTimesteps):
    """Serves observed points as a BACnet device (see the module doc); `port=0` picks a free
    UDP port."""

    def __init__(self, points: Sequence[ObservedPoint], *, port: int = 0) -> None:
        self.points = list(points)
        self.device = BacnetDevice(
            DEVICE_INSTANCE, bacnet_points(self.points), host=HOST, port=port or None
        )
        self._timesteps: TimestepQueue[Timestep] = TimestepQueue(
            self._publish_queued, what="the BACnet device"
        )

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
        """Ready for timesteps; the device itself starts with the first (see the module doc)."""
        self._timesteps.start("virtual-bacnet-writer")

    async def stop(self) -> None:
        await self._timesteps.stop()
        await self.device.stop()

    def publish(self, values: Mapping[str, float]) -> None:
        """One timestep's values on the objects (subscribers hear of the changed ones)."""
        for twin_id, value in values.items():
            self.device.set(twin_id[:255], float(value))

    async def _publish_queued(self, timestep: Timestep) -> None:
        self.publish(timestep[1])  # BACnet's present-value carries no source time
        if self.device.app is None:  # the first timestep: the device comes online with it
            await self.device.start()
