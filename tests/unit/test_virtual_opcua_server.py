"""The virtual building's OPC UA server, read by a real asyncua client on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from asyncua import Client, ua

from graphtwin.neo4j_local.instance import free_port
from graphtwin.virtual.errors import OpcUaPortInUseError
from graphtwin.virtual.opcua_server import VirtualBuildingServer
from importers.energyplus.observed import ObservedPoint
from tests.support.waiting import wait_until

ZONE = "eplus:office/zone/Core_bottom"
TEMPERATURE = ObservedPoint(f"{ZONE}/air-temperature", "Core_bottom air temperature", ZONE,
                            "Zone_Air_Temperature_Sensor", "C", "Zone Air Temperature",
                            "Core_bottom")  # fmt: skip
HUMIDITY = ObservedPoint(f"{ZONE}/air-humidity", "Core_bottom air humidity", ZONE,
                         "Zone_Air_Humidity_Sensor", "%", "Zone Air Relative Humidity",
                         "Core_bottom")  # fmt: skip
OAT = ObservedPoint("eplus:office/building/b/outdoor-air-temperature", "outdoor air",
                    "eplus:office/building/b", "Outside_Air_Temperature_Sensor", "C",
                    "Site Outdoor Air Drybulb Temperature", "Environment")  # fmt: skip
START = datetime(2025, 7, 1, 7, 15, tzinfo=UTC)


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class _Changes:
    def __init__(self) -> None:
        self.seen: list[tuple[float | None, datetime | None]] = []

    def datachange_notification(self, _node: object, value: object, data: object) -> None:
        self.seen.append((value, data.monitored_item.Value.SourceTimestamp))  # type: ignore[attr-defined]


def test_points_are_served_without_a_value_until_the_engine_thread_hands_over_timesteps():
    async def scenario() -> int:
        points = [TEMPERATURE, HUMIDITY, OAT]
        async with VirtualBuildingServer(points, model="office") as server:
            assert server.port > 0 and not _port_is_free(server.port)
            node_id = server.node_id(TEMPERATURE.twin_id)
            assert node_id == f"ns={server.namespace_index};s={TEMPERATURE.twin_id}"
            async with Client(server.endpoint, timeout=5) as client:
                node = client.get_node(node_id)
                (initial,) = await client.read_attributes([node], ua.AttributeIds.Value)
                assert initial.StatusCode.value == ua.StatusCodes.BadWaitingForInitialData
                assert (await node.read_display_name()).Text == TEMPERATURE.name
                parent = await node.get_parent()
                assert parent.nodeid == ua.NodeId(ZONE, server.namespace_index)

                changes = _Changes()
                subscription = await client.create_subscription(20, changes)
                await subscription.subscribe_data_change([node])
                await wait_until(lambda: len(changes.seen) == 1)  # the initial (empty) value

                # the engine's side: a worker thread, stamps as fast as possible (sim time)
                sink = server.sink(asyncio.get_running_loop(), lambda moment: moment)

                def engine() -> None:
                    for step in range(3):
                        moment = START + timedelta(minutes=15 * step)
                        values = {TEMPERATURE.twin_id: 21.0 + step, HUMIDITY.twin_id: 40.0}
                        sink(moment, {**values, OAT.twin_id: 30.0})

                thread = threading.Thread(target=engine)
                thread.start()
                while thread.is_alive():
                    await asyncio.sleep(0.01)
                await server.drain()
                (last,) = await client.read_attributes([node], ua.AttributeIds.Value)
                assert last.Value.Value == 23.0
                assert last.SourceTimestamp == START + timedelta(minutes=30)
                assert last.ServerTimestamp is not None
                oat = await client.get_node(server.node_id(OAT.twin_id)).read_value()
                assert oat == 30.0
                await wait_until(lambda: changes.seen[-1][0] == 23.0)
                served = [value for value, _ in changes.seen[1:]]
                assert served == sorted(set(served)) and set(served) <= {21.0, 22.0, 23.0}
        return server.port

    port = asyncio.run(scenario())
    assert _port_is_free(port)


def test_a_port_already_taken_is_a_clear_error():
    async def scenario() -> None:
        port = free_port()
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", port))
            taken.listen()
            server = VirtualBuildingServer([OAT], model="office", port=port)
            with pytest.raises(OpcUaPortInUseError, match=str(port)):
                await server.start()
            await server.stop()

    asyncio.run(scenario())
