"""Simulated field devices for the demo and the tests: an OPC UA server and a Modbus TCP device.

Both listen on 127.0.0.1 only, start in about a second or less, and can be stopped and started
again on the same port (the tests kill a device mid-stream to check that connectors recover).
Their values come from `Signal`s: a base value with an optional sine, drift and freeze.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import struct
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asyncua import Node, Server, ua
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

logger = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"


@dataclass
class Signal:
    """A simulated measurement: base + amplitude*sin(2πt/period) + drift*t, t in seconds since the
    device started. After `freeze_after_s` it keeps its last value, like a stuck sensor (so an
    OPC UA server sends no more changes for it)."""

    name: str
    base: float
    amplitude: float = 0.0
    period_s: float = 60.0
    freeze_after_s: float | None = None
    drift_per_s: float = 0.0
    unit: str | None = None  # OPC UA: the variable's EngineeringUnits display name, e.g. "°C"

    def value(self, t: float) -> float:
        if self.freeze_after_s is not None:
            t = min(t, self.freeze_after_s)
        wave = self.amplitude * math.sin(2 * math.pi * t / self.period_s) if self.amplitude else 0.0
        return self.base + wave + self.drift_per_s * t


def _loopback_only(host: str) -> str:
    if host not in (LOCALHOST, "localhost"):
        raise ValueError(f"simulators listen on 127.0.0.1 only, not {host!r}")
    return host


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


# --- OPC UA --------------------------------------------------------------------------------------


class _Users(UserManager):
    """Username and password sign-in against a fixed table."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._users = dict(users)

    def get_user(
        self,
        iserver: Any,
        username: str | None = None,
        password: str | None = None,
        certificate: Any = None,
    ) -> User | None:
        known = self._users.get(username or "")
        if known is None or password is None or not secrets.compare_digest(known, password):
            return None
        return User(role=UserRole.User, name=username)


class OpcUaSimulator:
    """An OPC UA server with one Double variable per signal. Security None; anonymous, or with
    `users` (username -> password) only those users, their passwords sent in plain text, which is
    why this listens on 127.0.0.1 only.

    Addressing, with `idx` the index of `namespace` (2 on a fresh server):
    - a signal name is a `/`-separated path: every part but the last is a folder object, the last
      is the variable; the first part sits directly under the Objects folder;
    - NodeId: `ns=<idx>;s=<name>`, the whole name (e.g. `ns=2;s=bldg-b/AHU2.SAT`); folders get
      `ns=<idx>;s=<folder path>`;
    - browse path from Objects: `<idx>:<part>` joined by `/` (e.g. `2:bldg-b/2:AHU2.SAT`), the
      format `Binding.browse_path` uses.

    Values are written with a source timestamp every `update_s`, only when they changed.
    `set_value` pins a variable to a value (the signal stops driving it) until the next start.
    """

    def __init__(
        self,
        signals: Iterable[Signal],
        port: int,
        host: str = LOCALHOST,
        namespace: str = "urn:graphtwin:sim",
        update_s: float = 0.5,
        users: Mapping[str, str] | None = None,
    ) -> None:
        self.signals = {s.name: s for s in signals}
        for name in self.signals:
            parts = name.split("/")
            if not all(parts):
                raise ValueError(f"signal name {name!r} has an empty path part")
            folders = {"/".join(parts[:depth]) for depth in range(1, len(parts))}
            if clash := folders & self.signals.keys():
                raise ValueError(f"{sorted(clash)[0]!r} is both a signal and a folder")
        self.port = port
        self.host = _loopback_only(host)
        self.namespace = namespace
        self.update_s = update_s
        self.users = dict(users) if users is not None else None
        self._server: Server | None = None
        self._ns: int | None = None
        self._nodes: dict[str, ua.NodeId] = {}
        self._last: dict[str, float] = {}
        self._pinned: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._t0 = 0.0

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}/graphtwin/sim/"

    @property
    def namespace_index(self) -> int:
        if self._ns is None:
            raise RuntimeError("the simulator has not been started")
        return self._ns

    def node_id(self, name: str) -> str:
        return f"ns={self.namespace_index};s={self._known(name)}"

    def browse_path(self, name: str) -> str:
        return "/".join(f"{self.namespace_index}:{part}" for part in self._known(name).split("/"))

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        server = Server(user_manager=_Users(self.users) if self.users is not None else None)
        await server.init()  # loads the standard address space: most of the ~1.5 s start
        server.set_endpoint(self.endpoint)
        server.set_server_name("graphtwin simulator")
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        anonymous = self.users is None
        server.set_identity_tokens(
            [ua.AnonymousIdentityToken if anonymous else ua.UserNameIdentityToken]
        )
        # The clock task rewrites ServerStatus.CurrentTime every second and makes stop() wait up
        # to a second for it; clients probe ServerStatus.State, which stays Running without it.
        server.disable_clock(True)
        self._ns = await server.register_namespace(self.namespace)
        self._nodes = {}
        self._last = {}
        self._pinned = set()
        await self._build(server)
        await server.start()
        self._server = server
        self._t0 = time.monotonic()
        self._task = asyncio.create_task(self._update_loop(), name=f"opcua-sim:{self.port}")
        logger.debug("OPC UA simulator listening on %s", self.endpoint)

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    async def set_value(self, name: str, value: float) -> None:
        """Write `value` now and keep it: the signal no longer drives this variable."""
        self._known(name)
        self._pinned.add(name)
        await self._write(name, float(value))

    def stall(self) -> None:
        """Stop answering the connected clients without closing their connections, like a hung
        server or a pulled cable (new connections are still served). For dead-server tests."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        for transport in self._server.iserver.asyncio_transports:
            transport.pause_reading()

    async def __aenter__(self) -> OpcUaSimulator:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def _known(self, name: str) -> str:
        if name not in self.signals:
            raise KeyError(f"no signal named {name!r}")
        return name

    async def _build(self, server: Server) -> None:
        ns = self.namespace_index
        folders: dict[str, Node] = {}
        for name, signal in self.signals.items():
            parts = name.split("/")
            parent: Node = server.nodes.objects
            for depth in range(1, len(parts)):
                path = "/".join(parts[:depth])
                if path not in folders:
                    folders[path] = await parent.add_folder(
                        ua.NodeId(path, ns), ua.QualifiedName(parts[depth - 1], ns)
                    )
                parent = folders[path]
            initial = signal.value(0.0)
            node = await parent.add_variable(
                ua.NodeId(name, ns), ua.QualifiedName(parts[-1], ns), initial, ua.VariantType.Double
            )
            if signal.unit is not None:
                units = ua.EUInformation(DisplayName=ua.LocalizedText(signal.unit))
                await node.add_property(
                    ua.NodeId(f"{name}#EngineeringUnits", ns),
                    ua.QualifiedName("EngineeringUnits", 0),
                    units,
                )
            self._nodes[name] = node.nodeid
            self._last[name] = initial

    async def _update_loop(self) -> None:
        while True:
            await asyncio.sleep(self.update_s)
            t = time.monotonic() - self._t0
            for name, signal in self.signals.items():
                if name in self._pinned:
                    continue
                value = signal.value(t)
                if value != self._last.get(name):
                    await self._write(name, value)

    async def _write(self, name: str, value: float) -> None:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        now = datetime.now(UTC)
        data = ua.DataValue(
            ua.Variant(value, ua.VariantType.Double), SourceTimestamp=now, ServerTimestamp=now
        )
        await self._server.write_attribute_value(self._nodes[name], data)
        self._last[name] = value


# --- Modbus TCP ----------------------------------------------------------------------------------

# Function codes the simulator writes its own memory with (pymodbus maps them to a block).
_WRITE_CODE = {"coil": 15, "discrete": 2, "holding": 16, "input": 4}


def float32_registers(value: float) -> list[int]:
    """A float32 as two registers, big-endian bytes and words (ABCD)."""
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [high, low]


class ModbusSimulator:
    """A Modbus TCP device (pymodbus `SimDevice`) with `size` coils, discrete inputs, holding and
    input registers, each at addresses 0..size-1. Reading past `size` gets an exception response
    (IllegalAddress), so tests can provoke device errors.

    `signals` maps a holding register address to a Signal, written there every `update_s` as a
    float32 in big-endian byte and word order (two registers: address and address+1).
    """

    def __init__(
        self,
        port: int,
        host: str = LOCALHOST,
        device_id: int = 1,
        size: int = 100,
        signals: dict[int, Signal] | None = None,
        update_s: float = 0.5,
    ) -> None:
        self.port = port
        self.host = _loopback_only(host)
        self.device_id = device_id
        self.size = size
        self.signals = dict(signals or {})
        self.update_s = update_s
        for address in self.signals:
            if not 0 <= address <= size - 2:
                raise ValueError(f"signal at {address} does not fit in {size} registers")
        self._server: ModbusTcpServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._pinned: set[int] = set()
        self._t0 = 0.0

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return

        def bits() -> list[SimData]:
            return [SimData(0, count=self.size, values=False, datatype=DataType.BITS)]

        def registers() -> list[SimData]:
            return [SimData(0, count=self.size, values=0, datatype=DataType.REGISTERS)]

        # Four separate blocks (coils, discrete inputs, holding, input registers); addresses past
        # each block's end are invalid, which the device answers with IllegalAddress.
        device = SimDevice(id=self.device_id, simdata=(bits(), bits(), registers(), registers()))
        server = ModbusTcpServer(device, address=(self.host, self.port))
        await server.serve_forever(background=True)
        self._server = server
        self._pinned = set()
        self._t0 = time.monotonic()
        await self._update_signals()
        if self.signals:
            self._task = asyncio.create_task(self._update_loop(), name=f"modbus-sim:{self.port}")
        logger.debug("Modbus simulator listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        await _cancel(self._task)
        self._task = None
        server, self._server = self._server, None
        if server is not None:
            await server.shutdown()

    async def set_register(
        self, address: int, registers: list[int] | list[bool], register_type: str = "holding"
    ) -> None:
        """Write raw 16-bit registers (or bools, for coil/discrete) at `address`. A signal at that
        holding register stops driving it."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        if register_type == "holding":
            self._pinned.add(address)
        await self._server.async_setValues(
            self.device_id, _WRITE_CODE[register_type], address, registers
        )

    async def set_float32(self, address: int, value: float) -> None:
        await self.set_register(address, float32_registers(value))

    async def __aenter__(self) -> ModbusSimulator:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def _update_loop(self) -> None:
        while True:
            await asyncio.sleep(self.update_s)
            await self._update_signals()

    async def _update_signals(self) -> None:
        if self._server is None:
            return
        t = time.monotonic() - self._t0
        for address, signal in self.signals.items():
            if address not in self._pinned:
                await self._server.async_setValues(
                    self.device_id,
                    _WRITE_CODE["holding"],
                    address,
                    float32_registers(signal.value(t)),
                )
