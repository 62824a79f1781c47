"""The virtual building as a BACnet/IP device: one analog-value object per observed point.

The BACnet counterpart of opcua_server.py, with the same interface for `ServedRun`
(`start`, `stop`, `sink`, `drain`, `endpoint`, `port`). Point number i (in the order of the
observed points) is `analog-value,i+1` of device `DEVICE_INSTANCE` on 127.0.0.1:<port>, named
by its twin id (object names are unique on a device), described by its name, with the BACnet
units of its EnergyPlus unit. Each timestep's changed values are written to the objects'
present-values, and COV subscribers are told. A present-value carries no source time: a client
stamps it when it arrives. So the device also keeps the history, as a building's controller
does: trend log multiple k+1 (`trend_log_of`) logs the present-values of points
k*LOG_MEMBERS+1 to (k+1)*LOG_MEMBERS, one record per timestep stamped with the time the
timestep is served at (its simulated moment when the run is as fast as possible), read by
ReadRange (bacnet_trend_log.py): a client reading it misses no timestep however fast the run.

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
from graphtwin.virtual.bacnet_trend_log import TrendLog
from graphtwin.virtual.timestep_queue import ServesTimesteps, Timestep, TimestepQueue
from importers.energyplus.observed import ObservedPoint

HOST = "127.0.0.1"
DEVICE_INSTANCE = 2001
LOG_MEMBERS = 128
"""Points per trend log multiple: a record of 128 values (658 bytes) still fits an APDU of
1476 bytes twice."""

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


def trend_log_of(number: int) -> str:
    """The trend log holding the history of point number `number` (0-based).

    >>> trend_log_of(0), trend_log_of(LOG_MEMBERS)
    ('trend-log-multiple,1', 'trend-log-multiple,2')
    """
    return f"trend-log-multiple,{number // LOG_MEMBERS + 1}"


class VirtualBacnetServer(ServesTimesteps):
    """Serves observed points as a BACnet device (see the module doc); `port=0` picks a free
    UDP port."""

    def __init__(self, points: Sequence[ObservedPoint], *, port: int = 0) -> None:
        self.points = list(points)
        objects = bacnet_points(self.points)
        logs = [
            TrendLog(
                ("trend-log-multiple", k // LOG_MEMBERS + 1),
                [f"{o.object_type},{o.instance}" for o in objects[k : k + LOG_MEMBERS]],
            )
            for k in range(0, len(objects), LOG_MEMBERS)
        ]
        self.device = BacnetDevice(
            DEVICE_INSTANCE, objects, host=HOST, port=port or None, trend_logs=logs
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
        self.publish(timestep[1])  # the present-values, which carry no source time
        if self.device.app is None:  # the first timestep: the device comes online with it
            await self.device.start()
        self.device.log(timestep[0])  # and the trend logs, which do
