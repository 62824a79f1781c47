"""The Modbus connector against a real (simulated) Modbus TCP device on this machine."""

from __future__ import annotations

import asyncio
import contextlib

from graphtwin.neo4j_local.instance import free_port
from graphtwin.telemetry.bindings import Binding, ModbusSource, SyncRule
from graphtwin.telemetry.connectors.modbus import ModbusConnector
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.simulators import ModbusSimulator, Signal
from tests.support.waiting import Body, wait_until

FAST = SyncRule(mode="poll", period_s=0.1)


def _source(port: int, **more: float) -> ModbusSource:
    return ModbusSource(id="meters", type="modbus", host="127.0.0.1", port=port, **more)


def _binding(register_type: str, address: int, datatype: str, **more) -> Binding:
    return Binding(
        source="meters",
        point={"twin_id": f"urn:t:{register_type}-{address}"},
        register_type=register_type,
        address=address,
        datatype=datatype,
        **more,
    )


async def with_connector(
    connector: ModbusConnector, body: Body
) -> tuple[list[Reading], SourceHealth]:
    readings: list[Reading] = []
    health = SourceHealth(connector.source_id)
    task = asyncio.create_task(connector.run(readings.append, health))
    try:
        await body(readings, health)
        assert not task.done(), "the connector must run until cancelled"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return readings, health


def values(readings: list[Reading], binding: Binding) -> list[object]:
    return [r.value for r in readings if r.address == binding.source_address]


def test_float32_int16_and_coil_values_are_decoded_with_scale():
    async def scenario() -> None:
        port = free_port()
        async with ModbusSimulator(port, signals={0: Signal("sat", base=21.5)}) as sim:
            await sim.set_register(2, [0xFF38])  # int16 -200
            await sim.set_register(5, [1234], register_type="input")
            await sim.set_register(3, [True], register_type="coil")
            temperature = _binding("holding", 0, "float32")
            scaled = _binding("holding", 2, "int16", scale=0.1, offset=1)
            flow = _binding("input", 5, "uint16", scale=0.5)
            running = _binding("coil", 3, "bool")
            connector = ModbusConnector(
                _source(port), [temperature, scaled, flow, running], lambda _: FAST
            )

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: len(values(readings, running)) >= 3)
                assert health.connected

            readings, health = await with_connector(connector, body)

        assert set(values(readings, temperature)) == {21.5}
        assert values(readings, scaled)[0] == -200 * 0.1 + 1
        assert set(values(readings, flow)) == {617.0}
        assert set(values(readings, running)) == {True}
        assert {r.quality for r in readings} == {"good"}
        assert {r.source_time for r in readings} == {None}  # Modbus has no timestamps
        assert {r.source_id for r in readings} == {"meters"}
        assert health.failures == 0
        assert health.reliability == 1.0

    asyncio.run(scenario())


def test_a_changing_register_is_polled_every_period():
    async def scenario() -> None:
        port = free_port()
        async with ModbusSimulator(port) as sim:
            level = _binding("holding", 10, "uint16")
            connector = ModbusConnector(_source(port), [level], lambda _: FAST)

            async def body(readings: list[Reading], _health: SourceHealth) -> None:
                await wait_until(lambda: len(readings) >= 1)
                for value in (1, 2, 3):
                    await sim.set_register(10, [value])
                    await wait_until(lambda v=value: readings[-1].value == v)
                start = len(readings)
                await asyncio.sleep(0.6)
                assert 3 <= len(readings) - start <= 8  # about every 0.1 s, unchanged or not

            await with_connector(connector, body)

    asyncio.run(scenario())


def test_an_address_beyond_the_device_is_a_counted_exception_not_a_crash():
    async def scenario() -> None:
        port = free_port()
        async with ModbusSimulator(port, size=10) as sim:
            await sim.set_register(6, [7, 8, 9])
            good = _binding("holding", 6, "uint16")
            neighbour = _binding("holding", 7, "uint16")
            straddling = _binding("holding", 8, "uint32", word_order="little")  # 8..9 is fine
            past_the_end = _binding("holding", 9, "float32")  # needs 9 and 10: 10 is not there
            far_away = _binding("input", 500, "uint16")
            bindings = [good, neighbour, straddling, past_the_end, far_away]
            connector = ModbusConnector(_source(port), bindings, lambda _: FAST)

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: health.failures_by_reason.get("exception", 0) >= 6)
                await wait_until(lambda: len(values(readings, neighbour)) >= 3)
                assert health.connected

            readings, health = await with_connector(connector, body)

        # the four touching bindings shared a request; after its exception response they are
        # read one by one, so only the bad one is lost
        assert set(values(readings, good)) == {7}
        assert set(values(readings, neighbour)) == {8}
        assert set(values(readings, straddling)) == {(0 << 16) | 9}
        assert values(readings, past_the_end) == []
        assert values(readings, far_away) == []
        assert set(health.failures_by_reason) == {"exception"}
        assert 0 < health.reliability < 1

    asyncio.run(scenario())


def test_a_stopped_modbus_device_is_counted_and_reconnected_after_restart():
    async def scenario() -> None:
        port = free_port()
        sim = ModbusSimulator(port)
        await sim.start()
        await sim.set_float32(0, 20.0)
        temperature = _binding("holding", 0, "float32")
        source = _source(port, timeout_s=0.5, reconnect_max_s=0.5)
        connector = ModbusConnector(source, [temperature], lambda _: FAST)

        async def body(readings: list[Reading], health: SourceHealth) -> None:
            nonlocal sim
            await wait_until(lambda: len(readings) >= 2)
            await sim.stop()
            await wait_until(lambda: not health.connected, timeout=3)
            await asyncio.sleep(1.0)  # refused a few times, backoff capped at 0.5 s
            assert not health.connected

            sim = ModbusSimulator(port)
            await sim.start()
            await sim.set_float32(0, 42.5)
            back = await wait_until(lambda: health.connected, timeout=3)
            assert back <= 0.5 + 1.0  # the backoff cap, plus time to connect on a busy machine
            await wait_until(lambda: readings[-1].value == 42.5, timeout=3)

        try:
            readings, health = await with_connector(connector, body)
        finally:
            await sim.stop()

        assert {20.0, 42.5} <= set(values(readings, temperature))
        lost = health.failures_by_reason.get("disconnected", 0)
        lost += health.failures_by_reason.get("timeout", 0)
        assert lost >= 3  # the loss, then refused attempts
        assert health.last_success is not None and health.last_success > health.last_failure
        assert 0 < health.reliability < 1

    asyncio.run(scenario())


def test_a_device_that_does_not_answer_is_a_counted_timeout():
    async def scenario() -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while await reader.read(256):
                    pass  # takes requests, never answers
            writer.close()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        level = _binding("holding", 0, "uint16")
        source = _source(port, timeout_s=0.1, reconnect_max_s=0.2)
        connector = ModbusConnector(source, [level], lambda _: FAST)

        async def body(readings: list[Reading], health: SourceHealth) -> None:
            failures = health.failures_by_reason
            await wait_until(lambda: failures.get("timeout", 0) >= 5, timeout=5)
            # pymodbus drops a connection after a few unanswered requests, and the connector
            # counts it and reconnects; on a busy machine that may come after the fifth timeout
            await wait_until(lambda: failures.get("disconnected", 0) >= 1, timeout=5)
            assert readings == []

        async with server:
            _, health = await with_connector(connector, body)
        assert health.reliability < 0.5

    asyncio.run(scenario())
