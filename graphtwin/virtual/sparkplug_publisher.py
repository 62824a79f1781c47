"""The virtual building as a Sparkplug B edge node publishing to an MQTT broker.

The MQTT counterpart of opcua_server.py, with the same interface for `ServedRun` (`start`,
`stop`, `sink`, `drain`, `endpoint`, `port`). The building is edge node `<edge>` of group
`graphtwin` with one device, `building`, whose metrics are the observed points, named by their
twin ids (aliases 1..n in the points' order):

- at start: NBIRTH (with its `bdSeq`), then a DBIRTH that names every metric with its alias,
  its datatype (Double), null until the first timestep;
- each timestep: one DDATA of the metrics whose value changed, by alias, stamped with the
  timestep's served time (the simulated time mapped to the wall clock, as OPC UA's source
  timestamps are);
- a host application that came online after the births asks for them again with an NCMD
  `Node Control/Rebirth`: the births are published again, with the last values;
- the NDEATH is the connection's MQTT will, so a host application learns at once that the
  building went away, even if the process dies; a clean stop publishes it itself.

EnergyPlus runs in a worker thread: `sink` queues each timestep for the loop, which publishes
them in order (timestep_queue.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiomqtt
import pysparkplug as spb
from google.protobuf.message import DecodeError

from graphtwin.errors import ConfigurationError
from graphtwin.telemetry.bindings import MqttSource
from graphtwin.telemetry.connectors.mqtt.client import make_client
from graphtwin.telemetry.connectors.mqtt.sparkplug import REBIRTH
from graphtwin.virtual.timestep_queue import ServesTimesteps, Timestep, TimestepQueue
from importers.energyplus.observed import ObservedPoint

log = logging.getLogger(__name__)

GROUP_ID = "graphtwin"
DEVICE_ID = "building"
_DOUBLE, _UINT64 = spb.DataType.DOUBLE, spb.DataType.UINT64


class VirtualSparkplugPublisher(ServesTimesteps):
    """Publishes observed points as a Sparkplug B edge node (see the module doc)."""

    def __init__(self, points: Sequence[ObservedPoint], *, broker: str, edge_node: str) -> None:
        try:
            self._source = MqttSource(
                id=edge_node,
                type="mqtt",
                broker=broker,
                client_id=f"{edge_node}-edge-node",  # not the id of the sync that follows it
            )
        except ValueError as exc:
            raise ConfigurationError(f"--broker {broker!r}: give mqtt://host:port") from exc
        self.points = list(points)
        self.group_id, self.edge_node, self.device_id = GROUP_ID, edge_node, DEVICE_ID
        self._aliases = {p.twin_id: i + 1 for i, p in enumerate(self.points)}
        self._last: dict[str, float] = {}
        self._seq = 0
        self._bd_seq = int(time.time()) % 256  # a late will of an older session is told apart
        self._client: aiomqtt.Client | None = None
        self._commands: asyncio.Task[None] | None = None
        self._timesteps: TimestepQueue[Timestep] = TimestepQueue(
            self._publish_queued, what="the MQTT broker"
        )

    @property
    def endpoint(self) -> str:
        return self._source.broker

    @property
    def port(self) -> int:
        return self._source.port

    def topic(self, kind: str) -> str:
        device = f"/{DEVICE_ID}" if kind.startswith("D") else ""
        return f"spBv1.0/{GROUP_ID}/{kind}/{self.edge_node}{device}"

    def metric(self, twin_id: str) -> str:
        """The bindings' `metric` of a point: `<group>/<edge node>/<device>/<metric name>`."""
        return f"{GROUP_ID}/{self.edge_node}/{DEVICE_ID}/{twin_id}"

    async def start(self) -> None:
        will = aiomqtt.Will(self.topic("NDEATH"), self._ndeath(), qos=1)
        client = make_client(self._source, will=will)
        try:
            await client.__aenter__()
        except aiomqtt.MqttError as exc:
            raise ConfigurationError(
                f"cannot reach the MQTT broker {self.endpoint}: {exc}"
            ) from exc
        self._client = client
        await client.subscribe(self.topic("NCMD"), qos=1)
        await self._births()
        self._commands = asyncio.create_task(self._listen(client))
        self._timesteps.start("virtual-sparkplug-publisher")

    async def _births(self) -> None:
        """NBIRTH, then a DBIRTH naming every metric with its last value (null before one)."""
        now = _ms(time.time())
        self._seq = 0
        bd = spb.Metric(now, "bdSeq", _UINT64, self._bd_seq)
        rebirth = spb.Metric(now, REBIRTH, spb.DataType.BOOLEAN, False)
        nbirth = spb.NBirth(now, self._next_seq(), [bd, rebirth])
        await self._send("NBIRTH", nbirth.encode(include_dtypes=True))
        metrics = [
            spb.Metric(now, p.twin_id, _DOUBLE, self._last.get(p.twin_id), alias=i + 1)
            for i, p in enumerate(self.points)
        ]
        birth = spb.DBirth(now, self._next_seq(), metrics).encode(include_dtypes=True)
        await self._send("DBIRTH", birth)

    async def _listen(self, client: aiomqtt.Client) -> None:
        """Answers a host application's `Node Control/Rebirth` command with new births."""
        async for message in client.messages:
            payload = message.payload
            try:
                command = spb.NCmd.decode(payload if isinstance(payload, bytes) else b"")
            except (DecodeError, ValueError, IndexError, TypeError):
                log.debug("ignored a malformed NCMD", exc_info=True)
                continue
            if any(m.name == REBIRTH and m.value for m in command.metrics):
                await self._births()

    async def stop(self) -> None:
        try:
            await self._timesteps.stop()
        finally:
            if self._commands is not None:
                self._commands.cancel()
                await asyncio.gather(self._commands, return_exceptions=True)
            client, self._client = self._client, None
            if client is not None:
                try:
                    await client.publish(self.topic("NDEATH"), self._ndeath(), qos=1)
                finally:
                    await client.__aexit__(None, None, None)

    async def publish(self, at: datetime, values: Mapping[str, float]) -> None:
        """One timestep: a DDATA of the changed values, stamped `at`."""
        changed = {k: float(v) for k, v in values.items() if self._last.get(k) != v}
        if not changed:
            return
        self._last.update(changed)
        stamp = _ms(at.timestamp())
        metrics = [
            spb.Metric(stamp, None, _DOUBLE, value, alias=self._aliases[twin_id])
            for twin_id, value in changed.items()
            if twin_id in self._aliases
        ]
        await self._send("DDATA", spb.DData(stamp, self._next_seq(), metrics).encode())

    async def _publish_queued(self, timestep: Timestep) -> None:
        await self.publish(*timestep)

    async def _send(self, kind: str, payload: bytes) -> None:
        if self._client is None:
            raise ConfigurationError("the Sparkplug publisher is not started")
        await self._client.publish(self.topic(kind), payload, qos=1)

    def _next_seq(self) -> int:
        seq, self._seq = self._seq, (self._seq + 1) % 256
        return seq

    def _ndeath(self) -> bytes:
        return spb.NDeath(None, spb.Metric(None, "bdSeq", _UINT64, self._bd_seq)).encode()


def _ms(epoch_s: float) -> int:
    return int(epoch_s * 1000)
