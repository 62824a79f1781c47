"""The virtual building's OPC UA server: one variable per observed point, on 127.0.0.1.

Address space, with `idx` the index of the namespace `urn:graphtwin:virtual:<model>` (2 on a
fresh server):

- Objects / `<model>` / one folder per parent (a zone, an AHU, a fan, ...; NodeId
  `ns=<idx>;s=<parent twin id>`) / one Double variable per point, NodeId
  `ns=<idx>;s=<point twin id>`, DisplayName the point's name.

Every variable starts without a value (status `BadWaitingForInitialData`), so a client that
subscribes before the first timestep sees nothing rather than a made-up zero. Each timestep's
changed values are written together with one SourceTimestamp, the moment they stand for as the run's
`Pace` maps it (simulated time at the chosen speed on the wall clock, or the simulated moment
itself when running as fast as possible); the ServerTimestamp is when they were written. A value
equal to the one served is not written again (a subscription would not report it either), so
a variable's SourceTimestamp is the moment its value last changed, as with a device that
reports on change.

EnergyPlus runs in a worker thread and the server in the asyncio loop: `sink` gives the engine
a callback that queues each timestep for the loop, which writes them in order, at most
`MAX_BEHIND` timesteps behind EnergyPlus (timestep_queue.py); `drain` waits for the queue.

>>> async with VirtualBuildingServer(points, model="office_medium") as server:  # doctest: +SKIP
...     print(server.endpoint, server.node_id(points[0].twin_id))
opc.tcp://127.0.0.1:48213/graphtwin/virtual/ ns=2;s=eplus:.../air-temperature
"""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from asyncua import Node, Server, ua

from graphtwin.neo4j_local.instance import free_port
from graphtwin.virtual.errors import OpcUaPortInUseError
from graphtwin.virtual.timestep_queue import ServesTimesteps, Timestep, TimestepQueue
from importers.energyplus.observed import ObservedPoint

log = logging.getLogger(__name__)


class ServedValue(ua.DataValue):
    """A value as served: never changed once written, so the copy asyncua makes of it for every
    monitored item (`copy.deepcopy`, about 130 us a value, most of the server's time when
    EnergyPlus runs as fast as possible) can be the value itself."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, object]) -> ServedValue:
        return self


HOST = "127.0.0.1"
"""Timesteps EnergyPlus may run ahead of what the server has written."""
"""How long the EnergyPlus thread waits for room in the queue before it gives up."""
_FREE_PORT_TRIES = 5


class VirtualBuildingServer(ServesTimesteps):
    """Serves observed points over OPC UA (see the module doc). `port=0` picks a free port;
    `port` and `endpoint` say which once started."""

    def __init__(self, points: Sequence[ObservedPoint], *, model: str, port: int = 0) -> None:
        self.points = list(points)
        self.model = model
        self.namespace = f"urn:graphtwin:virtual:{model}"
        self.port = port
        self._server: Server | None = None
        self._ns: int | None = None
        self._nodes: dict[str, ua.NodeId] = {}
        self._served: dict[str, float] = {}
        self._timesteps: TimestepQueue[Timestep] = TimestepQueue(
            self._publish_queued, what="the OPC UA server"
        )

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{HOST}:{self.port}/graphtwin/virtual/"

    @property
    def namespace_index(self) -> int:
        if self._ns is None:
            raise RuntimeError("the server has not been started")
        return self._ns

    def node_id(self, twin_id: str) -> str:
        """The NodeId (as text) of a point's variable."""
        return f"ns={self.namespace_index};s={twin_id}"

    async def __aenter__(self) -> VirtualBuildingServer:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Build the address space and listen (on a free port when `port` is 0)."""
        if self._server is not None:
            return
        pick = self.port == 0
        if not pick and not _bindable(self.port):  # before the second the address space takes
            raise OpcUaPortInUseError(self.port)
        for attempt in range(_FREE_PORT_TRIES if pick else 1):
            if pick:
                self.port = free_port()
            server = await self._build()
            try:
                await server.start()
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                if not pick or attempt == _FREE_PORT_TRIES - 1:
                    raise OpcUaPortInUseError(self.port) from exc
                log.debug("port %s was taken meanwhile; trying another", self.port)
                continue
            self._server = server
            self._timesteps.start("virtual-opcua-writer")
            log.debug("virtual building serving %d point(s) on %s", len(self._nodes), self.endpoint)
            return

    async def stop(self) -> None:
        """Close every session and the listening socket (the port is free afterwards)."""
        await self._timesteps.stop()
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    async def _build(self) -> Server:
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name(f"graphtwin virtual building {self.model}")
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        server.set_identity_tokens([ua.AnonymousIdentityToken])
        # The clock task rewrites ServerStatus.CurrentTime every second and makes stop() wait
        # for it; clients probe ServerStatus.State, which stays Running without it.
        server.disable_clock(True)
        ns = self._ns = await server.register_namespace(self.namespace)
        root = await server.nodes.objects.add_folder(
            ua.NodeId(f"graphtwin-virtual/{self.model}", ns), ua.QualifiedName(self.model, ns)
        )
        folders: dict[str, Node] = {}
        self._nodes = {}
        waiting = ua.DataValue(
            ua.Variant(None, ua.VariantType.Null),
            StatusCode=ua.StatusCode(ua.StatusCodes.BadWaitingForInitialData),
        )
        for point in self.points:
            folder = folders.get(point.parent)
            if folder is None:
                folder = folders[point.parent] = await root.add_folder(
                    ua.NodeId(point.parent, ns), ua.QualifiedName(_browse_name(point.parent), ns)
                )
            node = await folder.add_variable(
                ua.NodeId(point.twin_id, ns),
                ua.QualifiedName(point.twin_id.rsplit("/", 1)[-1], ns),
                0.0,
                ua.VariantType.Double,
            )
            await node.write_attribute(
                ua.AttributeIds.DisplayName, ua.DataValue(ua.Variant(ua.LocalizedText(point.name)))
            )
            await server.write_attribute_value(node.nodeid, waiting)
            self._nodes[point.twin_id] = node.nodeid
        return server

    async def publish(self, source_time: datetime, values: Mapping[str, float]) -> None:
        """Write one timestep's values, all stamped `source_time`."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        space = self._server.iserver.aspace
        served = self._served
        written_at = datetime.now(UTC)
        for twin_id, value in values.items():
            value = float(value)
            if served.get(twin_id) == value:
                continue
            served[twin_id] = value
            data = ServedValue(
                ua.Variant(value, ua.VariantType.Double),
                SourceTimestamp=source_time,
                ServerTimestamp=written_at,
            )
            # The address space answers a status (Server.write_attribute_value drops it).
            status = await space.write_attribute_value(
                self._nodes[twin_id], ua.AttributeIds.Value, data
            )
            if not status.is_good():
                raise RuntimeError(f"writing {twin_id} failed: {status.name}")

    async def _publish_queued(self, timestep: Timestep) -> None:
        await self.publish(*timestep)


def _bindable(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:`port` now (a port in TIME_WAIT is free: the
    server binds with SO_REUSEADDR too, as asyncio does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _browse_name(parent: str) -> str:
    """A folder's browse name: the parent id after its model prefix, `/` written as `:`
    (`eplus:m/zone/Core_bottom` -> `zone:Core_bottom`); browse paths split on `/`."""
    _, _, tail = parent.partition("/")
    return (tail or parent).replace("/", ":")
