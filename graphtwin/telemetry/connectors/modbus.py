"""Modbus TCP connector: polls one device's registers and delivers decoded values as Readings.

Modbus has no subscriptions and no timestamps: every binding is polled every `period_s` of its
rule (a `subscribe` rule is polled too), and readings carry no source time. Bindings with the same
period and register type whose registers touch are read in one request; when such a request gets
an exception response, its bindings are read one by one from then on, so one bad address does not
blind its neighbours.

Failures are counted, never raised: an exception response is `exception`, no answer in
`timeout_s` is `timeout`, a refused or dropped connection is `disconnected`, after which the
connector reconnects with a backoff from 0.2 s doubling to `reconnect_max_s`. pymodbus' own
reconnect is switched off so that every attempt is seen (and counted) here.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusIOException

from graphtwin.errors import GraphTwinError
from graphtwin.telemetry.bindings import Binding, ModbusSource, SyncRule
from graphtwin.telemetry.connectors import every, require_addresses, until_first_ends
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

logger = logging.getLogger(__name__)

BACKOFF_START_S = 0.2
MAX_REGISTERS_PER_READ = 125  # the protocol's limit for holding and input registers
MAX_BITS_PER_READ = 2000  # and for coils and discrete inputs

_WIDTH = {"bool": 1, "int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2, "float64": 4}
_STRUCT = {"int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "float32": "f", "float64": "d"}
_BITS = ("coil", "discrete")


def register_count(datatype: str) -> int:
    """How many 16-bit registers (or bits, for bool) a value of this datatype spans."""
    try:
        return _WIDTH[datatype]
    except KeyError:
        raise ValueError(f"unknown Modbus datatype {datatype!r}") from None


def decode_value(registers: Sequence[int] | Sequence[bool], binding: Binding) -> float | int | bool:
    """The binding's value from the registers read at its address (the first ones are its own).

    `byte_order` is the order of the two bytes inside each register, `word_order` the order of
    the registers of a 32/64-bit value: big/big is ABCD, little/big BADC, big/little CDAB,
    little/little DCBA. The result is raw*scale+offset; an integer stays an int when scale is 1
    and offset 0, and a bool is never scaled.
    """
    width = register_count(binding.datatype)
    if len(registers) < width:
        raise ValueError(f"{binding.datatype} needs {width} registers, got {len(registers)}")
    if binding.datatype == "bool":
        return bool(registers[0])
    words = [int(r) for r in registers[:width]]
    if any(not 0 <= w <= 0xFFFF for w in words):
        raise ValueError(f"registers are 16-bit unsigned values, got {words}")
    if binding.word_order == "little":
        words.reverse()
    raw_bytes = b"".join(w.to_bytes(2, binding.byte_order) for w in words)
    raw = struct.unpack(">" + _STRUCT[binding.datatype], raw_bytes)[0]
    if isinstance(raw, int) and binding.scale == 1 and binding.offset == 0:
        return raw
    return raw * binding.scale + binding.offset


@dataclass
class ReadRequest:
    """One read: `count` registers (or bits) from `address`, covering `bindings`."""

    register_type: str
    address: int
    count: int
    bindings: list[Binding]


def plan_requests(bindings: list[Binding]) -> list[ReadRequest]:
    """Group bindings into as few reads as possible: same register type, registers that touch or
    overlap, within the protocol's maximum read size."""
    requests: list[ReadRequest] = []
    ordered = sorted(bindings, key=lambda b: (b.register_type or "", b.address or 0))
    for binding in ordered:
        kind, start = binding.register_type or "holding", binding.address or 0
        end = start + register_count(binding.datatype)
        limit = MAX_BITS_PER_READ if kind in _BITS else MAX_REGISTERS_PER_READ
        current = requests[-1] if requests else None
        if (
            current is not None
            and current.register_type == kind
            and start <= current.address + current.count
            and max(end, current.address + current.count) - current.address <= limit
        ):
            current.count = max(end, current.address + current.count) - current.address
            current.bindings.append(binding)
        else:
            requests.append(ReadRequest(kind, start, end - start, [binding]))
    return requests


class _DisconnectedError(GraphTwinError):
    """The connection to the device is gone (caught by the connector, which reconnects)."""


class ModbusConnector:
    """Polls the bound registers of one Modbus TCP device until cancelled (see the module doc)."""

    def __init__(
        self,
        source: ModbusSource,
        bindings: list[Binding],
        rules: Callable[[Binding], SyncRule],
    ) -> None:
        require_addresses(source.id, bindings, "modbus", "Modbus (register_type, address)")
        self.source = source
        self.source_id = source.id
        self.bindings = list(bindings)
        self._rules = rules

    def _schedule(self) -> dict[float, list[ReadRequest]]:
        by_period: dict[float, list[Binding]] = {}
        for binding in self.bindings:
            by_period.setdefault(self._rules(binding).period_s, []).append(binding)
        return {period: plan_requests(members) for period, members in by_period.items()}

    async def run(self, sink: ReadingSink, health: SourceHealth) -> None:
        schedule = self._schedule()
        delay = BACKOFF_START_S
        while True:
            client = AsyncModbusTcpClient(
                self.source.host,
                port=self.source.port,
                name=f"graphtwin:{self.source_id}",
                timeout=self.source.timeout_s,
                retries=0,
                reconnect_delay=0,  # reconnects are ours, with their own backoff and counting
            )
            try:
                if await client.connect():
                    health.connected = True
                    health.success()
                    delay = BACKOFF_START_S
                    logger.debug("%s: connected to %s", self.source_id, self.source.endpoint)
                    await self._poll_all(client, schedule, sink, health)
                else:
                    logger.debug("%s: cannot connect to %s", self.source_id, self.source.endpoint)
            except (_DisconnectedError, ConnectionException, OSError) as exc:
                logger.debug("%s: connection lost: %r", self.source_id, exc)
            except GraphTwinError:
                raise
            except Exception:  # a device's odd answer must not end the connector
                logger.warning("%s: unexpected Modbus failure", self.source_id, exc_info=True)
            finally:
                health.connected = False
                client.close()
            health.failure("disconnected")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.source.reconnect_max_s)

    async def _poll_all(
        self,
        client: AsyncModbusTcpClient,
        schedule: dict[float, list[ReadRequest]],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        """Poll every period group until the connection is lost; always ends by raising."""
        tasks = [
            asyncio.create_task(self._poll(client, period_s, requests, sink, health))
            for period_s, requests in schedule.items()
        ]
        if not tasks:
            tasks.append(asyncio.create_task(self._watch(client)))
        await until_first_ends(tasks)
        raise _DisconnectedError("polling ended")

    async def _watch(self, client: AsyncModbusTcpClient) -> None:
        """With nothing to poll, only watch the connection."""
        while client.connected:
            await asyncio.sleep(0.5)
        raise _DisconnectedError("connection closed")

    async def _poll(
        self,
        client: AsyncModbusTcpClient,
        period_s: float,
        requests: list[ReadRequest],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        async for _ in every(period_s):
            for request in list(requests):
                await self._read(client, request, requests, sink, health)

    async def _read(
        self,
        client: AsyncModbusTcpClient,
        request: ReadRequest,
        requests: list[ReadRequest],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        if not client.connected:
            raise _DisconnectedError("connection closed")
        try:
            response = await self._request(client, request)
        except ConnectionException as exc:
            raise _DisconnectedError(str(exc)) from exc
        except ModbusIOException as exc:
            logger.debug("%s: no answer for %s", self.source_id, _describe(request), exc_info=exc)
            health.failure("timeout")
            if not client.connected:  # pymodbus closes after a few unanswered requests
                raise _DisconnectedError("no answers") from exc
            return
        if response.isError():
            if len(request.bindings) > 1:
                # Read these bindings one by one from now on and find the bad one(s) now.
                singles = plan_singles(request)
                at = next(i for i, r in enumerate(requests) if r is request)
                requests[at : at + 1] = singles
                for single in singles:
                    await self._read(client, single, requests, sink, health)
                return
            logger.debug(
                "%s: exception response %s for %s",
                self.source_id,
                getattr(response, "exception_code", "?"),
                _describe(request),
            )
            health.failure("exception")
            return
        health.success()
        values = response.bits if request.register_type in _BITS else response.registers
        for binding in request.bindings:
            at = (binding.address or 0) - request.address
            try:
                value = decode_value(values[at : at + register_count(binding.datatype)], binding)
            except ValueError as exc:
                logger.debug("%s: %s: %s", self.source_id, binding.source_address, exc)
                health.failure("decode")
                continue
            sink(Reading(self.source_id, binding.source_address, value, None, "good"))

    async def _request(self, client: AsyncModbusTcpClient, request: ReadRequest) -> Any:
        read = {
            "holding": client.read_holding_registers,
            "input": client.read_input_registers,
            "coil": client.read_coils,
            "discrete": client.read_discrete_inputs,
        }[request.register_type]
        return await read(request.address, count=request.count, device_id=self.source.device_id)


def plan_singles(request: ReadRequest) -> list[ReadRequest]:
    """One request per binding of `request`."""
    return [
        ReadRequest(request.register_type, b.address or 0, register_count(b.datatype), [b])
        for b in request.bindings
    ]


def _describe(request: ReadRequest) -> str:
    return f"{request.register_type} {request.address}..{request.address + request.count - 1}"
