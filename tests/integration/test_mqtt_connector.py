"""MQTT and Sparkplug B against a real broker (amqtt, in its own process on 127.0.0.1): values
reach the graph and the history, malformed payloads write nothing, the client reconnects and
resubscribes after the broker restarts, an NDEATH makes its node's points stale at once, and a
DDATA before its DBIRTH is dropped until the birth."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import pysparkplug as spb
import pytest

from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import Binding, MqttSource, read_bindings
from graphtwin.telemetry.connectors.mqtt.connector import MqttConnector
from graphtwin.telemetry.connectors.mqtt.discovery import discover_addresses
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.routing import UnboundPointError
from graphtwin.telemetry.sync import TwinSync
from tests.support.mqtt_broker import MqttBroker
from tests.support.telemetry_twin import load_plant
from tests.support.waiting import wait_until

SAT, OAT, FAN = "ahu-1.sat", "ahu-1.oat", "ahu-1.fan"
DOUBLE, INT = spb.DataType.DOUBLE, spb.DataType.INT64


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MqttBroker]:
    with MqttBroker(tmp_path_factory.mktemp("mqtt")) as running:
        yield running


async def publish(broker: MqttBroker, *messages: tuple[str, bytes]) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port, identifier="test-publisher") as client:
        for topic, payload in messages:
            await client.publish(topic, payload, qos=1)


def current(store: TwinStore, twin_id: str) -> dict:
    return store.read("api/nodes_by_id", ids=[twin_id])[0]["n"]["current"]


def open_staleness(store: TwinStore, twin_id: str) -> list[dict]:
    rows = store.read(
        "drift/issues_list", statuses=None, types=["staleness"], twin_id=twin_id, limit=9
    )
    return [r["issue"] for r in rows if r["issue"]["status"] != "resolved"]


async def until(check: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def sync_of(store: TwinStore, tmp_path: Path, source: str, bindings: str) -> TwinSync:
    load_plant(store, tmp_path)
    path = tmp_path / "bindings.yaml"
    path.write_text(f"""
graphtwin-bindings: 1
history: {{dir: history}}
audit_log: audit.jsonl
pipeline: {{flush_interval_s: 0.05}}
sources:
  - {source}
bindings:
{bindings}
""")
    return TwinSync(read_bindings(path), store, file="bindings.yaml")


@contextlib.asynccontextmanager
async def running(sync: TwinSync):
    task = asyncio.create_task(sync.run())
    try:
        await wait_until(lambda: all(h.connected for h in sync.health.values()))
        yield sync
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.neo4j
def test_plain_topics_bound_by_a_template_reach_the_graph_and_history_and_bad_ones_write_nothing(
    store, tmp_path, broker
):
    sync = sync_of(
        store,
        tmp_path,
        f'{{id: mq, type: mqtt, broker: "{broker.url}", reconnect_max_s: 0.5}}',
        '  - {source: mq, topic: "plant/ahu-1/+", point: {twin_id: "ahu-1.{1}"}}\n'
        '  - {source: mq, topic: "json/oat", field: "$.readings[0].v", '
        "point: {twin_id: ahu-1.oat}}\n"
        '  - {source: mq, topic: "ts/+", point: {ref: "ahu1/{1}"}}',  # by Brick timeseries id
    )

    async def go() -> None:
        async with running(sync):
            await publish(
                broker,
                ("plant/ahu-1/sat", b"14.5"),
                ("plant/ahu-1/fan", b"1"),
                ("plant/ahu-1/sat", b"warm"),  # not a number
                ("json/oat", b'{"readings": []}'),  # field missing
                ("json/oat", b"{oops"),  # not JSON
                ("plant/ahu-1/vfd", b"3"),  # no point ahu-1.vfd: the pipeline's unknown_point
            )
            await until(lambda: current(store, SAT)["value"] == 14.5, "the templated SAT")
            await publish(broker, ("json/oat", b'{"readings": [{"v": 8.25}]}'))
            await until(lambda: current(store, OAT)["value"] == 8.25, "the JSON field")
            await publish(broker, ("ts/sat", b"15.75"))
            await until(lambda: current(store, SAT)["value"] == 15.75, "the ref template")

    asyncio.run(go())
    assert current(store, FAN)["value"] == 1
    assert current(store, SAT)["source"] == "mq"
    assert sync.health["mq"].failures_by_reason == {
        "not_a_number": 1,
        "field_missing": 1,
        "bad_json": 1,
    }
    assert dict(sync.pipeline.stats.rejected) == {"unknown_point": 1}
    assert list(sync.history.query(SAT)["value"]) == [14.5, 15.75]  # not the bad payload
    assert list(sync.history.query(OAT)["value"]) == [8.25]


@pytest.mark.neo4j
def test_a_topic_template_that_spells_no_point_of_the_twin_stops_the_sync_before_it_starts(
    store, tmp_path, broker
):
    with pytest.raises(UnboundPointError, match="spells no point") as raised:
        sync_of(
            store,
            tmp_path,
            f'{{id: mq, type: mqtt, broker: "{broker.url}"}}',
            '  - {source: mq, topic: "plant/+/sat", point: {twin_id: "ahu-9.{1}"}}',
        )
    assert "plant/+/sat" in str(raised.value)


def test_the_client_reconnects_and_resubscribes_after_the_broker_restarts(broker):
    source = MqttSource(id="mq", type="mqtt", broker=broker.url, reconnect_max_s=0.5)
    binding = Binding(source="mq", topic="r/sat", point={"twin_id": SAT})
    connector = MqttConnector(source, [binding])
    got: list[Reading] = []
    health = SourceHealth("mq")

    async def go() -> None:
        task = asyncio.create_task(connector.run(got.append, health))
        try:
            await wait_until(lambda: health.connected)
            await publish(broker, ("r/sat", b"1"))
            await wait_until(lambda: len(got) == 1)
            await asyncio.to_thread(broker.restart)
            await wait_until(lambda: "disconnected" in health.failures_by_reason)
            await wait_until(lambda: health.connected)
            await publish(broker, ("r/sat", b"2"))  # only a new subscription receives it
            await wait_until(lambda: len(got) == 2)
            assert not task.done()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())
    assert [r.value for r in got] == [1.0, 2.0]


def _m(name: str | None, value, *, alias: int | None = None, dtype=DOUBLE) -> spb.Metric:
    return spb.Metric(timestamp=None, name=name, datatype=dtype, value=value, alias=alias)


def nbirth(bd_seq: int) -> bytes:
    return spb.NBirth(int(time.time() * 1000), 0, [_m("bdSeq", bd_seq, dtype=INT)]).encode(
        include_dtypes=True
    )


def dbirth(sat: float, at_ms: int | None = None) -> bytes:
    metrics = [_m("SAT", sat, alias=1), _m("Fan", 1.0, alias=2)]
    at = at_ms or int(time.time() * 1000)
    return spb.DBirth(at, 1, metrics).encode(include_dtypes=True)


def ddata(sat: float, at_ms: int | None = None) -> bytes:
    at = at_ms or int(time.time() * 1000)
    return spb.DData(at, 2, [_m(None, sat, alias=1)]).encode()


@pytest.mark.neo4j
def test_sparkplug_values_flow_a_ddata_before_its_dbirth_is_dropped_and_ndeath_is_stale_at_once(
    store, tmp_path, broker
):
    sync = sync_of(
        store,
        tmp_path,
        f'{{id: spb, type: mqtt, broker: "{broker.url}", sparkplug: {{group_id: plant}}}}',
        '  - {source: spb, metric: "plant/edge-1/ahu-1/SAT", point: {twin_id: ahu-1.sat}}\n'
        '  - {source: spb, metric: "plant/edge-1/ahu-1/Fan", point: {twin_id: ahu-1.fan}}',
    )
    node, device = "spBv1.0/plant/{}/edge-1", "spBv1.0/plant/{}/edge-1/ahu-1"
    stamp = int(time.time() * 1000) - 2000

    async def go() -> None:
        async with running(sync):
            await publish(
                broker,
                (node.format("NBIRTH"), nbirth(0)),
                (device.format("DDATA"), ddata(99.0)),  # before its birth: dropped
                (device.format("DBIRTH"), dbirth(15.0, stamp - 1000)),
                (device.format("DDATA"), ddata(16.5, stamp)),
            )
            await until(lambda: current(store, SAT)["value"] == 16.5, "the DDATA value")
            assert sync.health["spb"].failures_by_reason == {"before_birth": 1}
            at = datetime.fromisoformat(current(store, SAT)["timestamp"])
            assert int(at.timestamp() * 1000) == stamp  # the payload's time, not arrival's

            await publish(
                broker,
                (node.format("NDEATH"), spb.NDeath(None, _m("bdSeq", 0, dtype=INT)).encode()),
            )
            await until(lambda: current(store, FAN)["health"] == "stale", "stale at once")
            assert current(store, SAT)["health"] == "stale"
            (issue,) = open_staleness(store, SAT)
            assert "NDEATH" in issue["description"]

            await publish(broker, (device.format("DDATA"), ddata(17.0)))  # dead: dropped
            await publish(
                broker,
                (node.format("NBIRTH"), nbirth(1)),
                (device.format("DBIRTH"), dbirth(18.0)),
            )
            await until(lambda: not open_staleness(store, SAT), "born again: fresh")

    asyncio.run(go())
    assert sync.spec.rules == {}  # no staleness limit anywhere: the NDEATH alone made it stale
    assert sync.health["spb"].failures_by_reason == {"before_birth": 2}
    assert current(store, SAT)["value"] == 18.0
    assert 99.0 not in set(sync.history.query(SAT)["value"])


def test_discovery_lists_the_sparkplug_metrics_the_broker_carried(broker):
    source = MqttSource(id="spb", type="mqtt", broker=broker.url, sparkplug={"group_id": "disc"})

    async def go() -> list:
        listening = asyncio.create_task(discover_addresses(source, listen_s=1.5))
        await asyncio.sleep(0.5)
        await publish(
            broker,
            ("spBv1.0/disc/NBIRTH/e9", nbirth(0)),
            ("spBv1.0/disc/DBIRTH/e9/vav-3", dbirth(21.0)),
        )
        return await listening

    found = asyncio.run(go())
    assert [a.reference for a in found] == [
        "spb:disc/e9/-/bdSeq",
        "spb:disc/e9/vav-3/Fan",
        "spb:disc/e9/vav-3/SAT",
    ]
    assert found[2].binding_fields == {"metric": "disc/e9/vav-3/SAT"}
    assert found[2].path == ("disc", "e9", "vav-3")


def test_the_virtual_building_publishes_births_ddata_of_changes_and_an_ndeath_its_bindings_follow(
    broker,
):
    from graphtwin.virtual.bindings_file import virtual_mqtt_bindings
    from graphtwin.virtual.sparkplug_publisher import VirtualSparkplugPublisher
    from importers.energyplus.observed import ObservedPoint

    points = [
        ObservedPoint(
            f"eplus:z{i}/temp",
            f"Zone {i} temperature",
            f"eplus:z{i}",
            "Zone_Air_Temperature_Sensor",
            "C",
            "Zone Air Temperature",
            f"Z{i}",
        )
        for i in (1, 2)
    ]
    publisher = VirtualSparkplugPublisher(points, broker=broker.url, edge_node="virtual-office")
    spec = virtual_mqtt_bindings(
        points,
        model="office",
        broker=broker.url,
        group_id=publisher.group_id,
        metrics=[publisher.metric(p.twin_id) for p in points],
        period_s=1,
    )
    connector = MqttConnector(
        spec.sources[0], spec.bindings, on_stale=lambda a, why: stale.extend(a)
    )
    stale: list[str] = []
    got: list[Reading] = []
    health = SourceHealth(connector.source_id)
    at = datetime.fromtimestamp(1_790_000_000, UTC)

    async def go() -> None:
        task = asyncio.create_task(connector.run(got.append, health))
        try:
            await wait_until(lambda: health.connected)
            await publisher.start()
            await publisher.publish(at, {"eplus:z1/temp": 21.0, "eplus:z2/temp": 22.0})
            await publisher.publish(at, {"eplus:z1/temp": 21.0, "eplus:z2/temp": 22.5})
            await wait_until(lambda: len(got) == 3)
            await publisher.stop()
            await wait_until(lambda: len(stale) == 2)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())
    by_point = [(r.address.split("/", 3)[3], r.value) for r in got]  # the metric names
    assert by_point == [("eplus:z1/temp", 21.0), ("eplus:z2/temp", 22.0), ("eplus:z2/temp", 22.5)]
    assert {r.source_time for r in got} == {at}  # the timestep's time, not the arrival's
    assert sorted(stale) == sorted(b.source_address for b in spec.bindings)
    assert health.failures == 0  # the births' null values are no values, not failures
