"""The OPC UA connector against a real (simulated) OPC UA server on this machine."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.errors import ConfigurationError
from graphtwin.neo4j_local.instance import free_port
from graphtwin.telemetry.bindings import Binding, OpcUaSource, SyncRule
from graphtwin.telemetry.connectors.opcua import OpcUaConnector
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.simulators import OpcUaSimulator, Signal
from tests.support.waiting import Body, wait_until

SAT = "AHU2/SAT"
RAT = "AHU2/RAT"
SIGNALS = [Signal(SAT, base=13.0, amplitude=1.0, period_s=2.0), Signal(RAT, base=22.0)]


def _source(sim: OpcUaSimulator, reconnect_max_s: float = 10.0) -> OpcUaSource:
    return OpcUaSource(
        id="plant", type="opcua", endpoint=sim.endpoint, timeout_s=2.0,
        reconnect_max_s=reconnect_max_s,
    )  # fmt: skip


def _binding(**address: str) -> Binding:
    return Binding(
        source="plant", point={"twin_id": f"urn:t:{next(iter(address.values()))}"}, **address
    )


async def with_connector(connector: OpcUaConnector, body: Body) -> SourceHealth:
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
    return health


def last(readings: list[Reading], address: str) -> Reading | None:
    return next((r for r in reversed(readings) if r.address == address), None)


def test_subscribed_values_flow_with_source_timestamps_by_node_id_and_by_browse_path():
    async def scenario() -> None:
        async with OpcUaSimulator(SIGNALS, port=free_port(), update_s=0.1) as sim:
            by_id = _binding(node_id=sim.node_id(SAT))
            by_path = _binding(browse_path=sim.browse_path(RAT))
            rule = SyncRule(mode="subscribe", period_s=0.1)
            connector = OpcUaConnector(_source(sim), [by_id, by_path], lambda _: rule)

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: last(readings, by_path.source_address) is not None)
                await wait_until(
                    lambda: len([r for r in readings if r.address == by_id.source_address]) >= 3
                )
                await sim.set_value(SAT, 14.25)
                await wait_until(lambda: last(readings, by_id.source_address).value == 14.25)
                assert health.connected

            health = await with_connector(connector, body)

        assert by_id.source_address == "ns=2;s=AHU2/SAT"
        assert by_path.source_address == "path:2:AHU2/2:RAT"
        assert health.failures == 0
        assert health.reliability == 1.0

    asyncio.run(scenario())


def test_readings_carry_the_devices_timestamp_and_good_quality():
    async def scenario() -> None:
        async with OpcUaSimulator(SIGNALS, port=free_port(), update_s=0.1) as sim:
            binding = _binding(node_id=sim.node_id(SAT))
            connector = OpcUaConnector(_source(sim), [binding], lambda _: SyncRule(period_s=0.1))

            async def body(readings: list[Reading], _health: SourceHealth) -> None:
                await wait_until(lambda: len(readings) >= 3)
                now = datetime.now(UTC)
                for reading in readings:
                    assert reading.source_id == "plant"
                    assert isinstance(reading.value, float)
                    assert reading.quality == "good"
                    assert reading.source_time is not None
                    assert reading.source_time.tzinfo is not None
                    assert now - timedelta(seconds=10) < reading.source_time <= now
                values = [r.value for r in readings]
                assert len(set(values)) > 1  # a sine, sampled: the value changes

            await with_connector(connector, body)

    asyncio.run(scenario())


def test_an_unknown_address_is_a_counted_failure_not_a_crash():
    async def scenario() -> None:
        async with OpcUaSimulator(SIGNALS, port=free_port(), update_s=0.1) as sim:
            good = _binding(node_id=sim.node_id(RAT))
            missing_id = _binding(node_id="ns=2;s=AHU9/NOPE")
            missing_path = _binding(browse_path="2:AHU2/2:NOPE")
            a_folder = _binding(browse_path="2:AHU2")  # exists, but has no value
            bindings = [missing_id, good, missing_path, a_folder]
            connector = OpcUaConnector(_source(sim), bindings, lambda _: SyncRule(period_s=0.1))

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: last(readings, good.source_address) is not None)
                assert {r.address for r in readings} == {good.source_address}
                assert health.failures_by_reason == {"unknown_address": 3}
                assert health.connected

            health = await with_connector(connector, body)
            assert health.reliability is not None and health.reliability < 1

    asyncio.run(scenario())


def test_poll_bindings_are_read_every_period_even_when_the_value_does_not_change():
    async def scenario() -> None:
        async with OpcUaSimulator(SIGNALS, port=free_port()) as sim:
            polled = _binding(node_id=sim.node_id(RAT))  # constant 22.0: a subscription is silent
            pathed = _binding(browse_path=sim.browse_path(RAT))
            rule = SyncRule(mode="poll", period_s=0.2)
            connector = OpcUaConnector(_source(sim), [polled, pathed], lambda _: rule)

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: len(readings) >= 2)
                start = len(readings)
                await asyncio.sleep(1.0)
                polls = (len(readings) - start) / 2
                assert 3 <= polls <= 7  # every 0.2 s
                assert {r.value for r in readings} == {22.0}
                assert {r.address for r in readings} == {
                    polled.source_address,
                    pathed.source_address,
                }
                assert health.reliability == 1.0

            await with_connector(connector, body)

    asyncio.run(scenario())


def test_a_stopped_opcua_server_is_reconnected_and_resubscribed():
    async def scenario() -> None:
        port = free_port()
        sim = OpcUaSimulator(SIGNALS, port=port, update_s=0.1)
        await sim.start()
        binding = _binding(node_id=sim.node_id(SAT))
        connector = OpcUaConnector(
            _source(sim, reconnect_max_s=1.0), [binding], lambda _: SyncRule(period_s=0.1)
        )

        async def body(readings: list[Reading], health: SourceHealth) -> None:
            nonlocal sim
            await wait_until(lambda: len(readings) >= 2)
            await sim.stop()
            noticed = await wait_until(lambda: not health.connected, timeout=5)
            assert noticed < 3  # a dead server is noticed within a few seconds
            await asyncio.sleep(1.0)  # down for a while: several attempts, backoff capped at 1 s
            received_before = len(readings)

            sim = OpcUaSimulator(SIGNALS, port=port, update_s=0.1)
            await sim.start()
            back = await wait_until(lambda: health.connected, timeout=5)
            assert back <= 1.0 + 2.0  # the backoff cap, plus time to connect on a busy machine
            # Resubscribed: values flow again, one change after another. (Whether the new
            # subscription's first notification carries the value from before the change is a
            # race, so the test asks for two changes rather than counting that one.)
            for value in (42.5, 43.5):
                await sim.set_value(SAT, value)
                await wait_until(lambda v=value: readings[-1].value == v, timeout=5)
            assert len(readings) >= received_before + 2

        try:
            health = await with_connector(connector, body)
        finally:
            await sim.stop()

        assert health.failures_by_reason["disconnected"] >= 2  # the loss and failed attempts
        assert health.last_failure_reason == "disconnected"
        assert health.last_success is not None and health.last_success > health.last_failure
        assert 0 < health.reliability < 1

    asyncio.run(scenario())


def test_a_server_that_stops_answering_is_noticed_within_seconds_without_any_data():
    async def scenario() -> None:
        constant = [Signal(RAT, base=22.0)]  # no changes: nothing arrives to notice a loss by
        async with OpcUaSimulator(constant, port=free_port()) as sim:
            binding = _binding(node_id=sim.node_id(RAT))
            connector = OpcUaConnector(
                _source(sim, reconnect_max_s=1.0), [binding], lambda _: SyncRule()
            )

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: len(readings) == 1)
                sim.stall()
                noticed = await wait_until(lambda: not health.connected, timeout=6)
                assert noticed < 4, noticed
                await wait_until(lambda: health.connected, timeout=5)  # a new session is served
                await wait_until(lambda: len(readings) == 2)  # and resubscribed

            health = await with_connector(connector, body)
            assert health.failures_by_reason == {"disconnected": 1}

    asyncio.run(scenario())


def _signed_in(sim: OpcUaSimulator, username: str, password_env: str) -> OpcUaSource:
    return OpcUaSource(
        id="plant",
        type="opcua",
        endpoint=sim.endpoint,
        reconnect_max_s=0.5,
        security={"username": username, "password_env": password_env},
    )


def test_the_password_comes_from_the_environment_and_a_refusal_is_counted(monkeypatch):
    monkeypatch.setenv("GT_TEST_OPCUA_PASSWORD", "s3cret")
    monkeypatch.setenv("GT_TEST_OPCUA_WRONG", "guess")

    async def scenario() -> None:
        users = {"operator": "s3cret"}
        async with OpcUaSimulator(SIGNALS, port=free_port(), users=users) as sim:
            binding = _binding(node_id=sim.node_id(RAT))
            rule = SyncRule(period_s=0.1)
            right = OpcUaConnector(
                _signed_in(sim, "operator", "GT_TEST_OPCUA_PASSWORD"), [binding], lambda _: rule
            )
            wrong = OpcUaConnector(
                _signed_in(sim, "operator", "GT_TEST_OPCUA_WRONG"), [binding], lambda _: rule
            )

            async def signed_in(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: len(readings) >= 1)

            async def refused(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: health.failures_by_reason.get("rejected", 0) >= 2)
                assert readings == []
                assert not health.connected

            assert (await with_connector(right, signed_in)).failures == 0
            health = await with_connector(wrong, refused)
            assert set(health.failures_by_reason) == {"rejected"}

    asyncio.run(scenario())


def test_a_missing_password_variable_is_a_configuration_error(monkeypatch):
    monkeypatch.delenv("GT_TEST_OPCUA_UNSET", raising=False)
    source = OpcUaSource(
        id="plant",
        type="opcua",
        endpoint="opc.tcp://127.0.0.1:4840/",
        security={"username": "operator", "password_env": "GT_TEST_OPCUA_UNSET"},
    )
    connector = OpcUaConnector(source, [_binding(node_id="ns=2;s=X")], lambda _: SyncRule())
    with pytest.raises(ConfigurationError, match="GT_TEST_OPCUA_UNSET"):
        asyncio.run(connector.run(lambda _: None, SourceHealth("plant")))
