"""The BACnet connector against a real bacpypes3 device on 127.0.0.1 (graphtwin's virtual
BACnet device), started by each test: ReadPropertyMultiple polls and COV, quality from the
object's status, per-reason counts, a device that goes silent and comes back, a Brick model
whose BACnet references bind themselves, with values in the graph and the history, and trend
logs read back by ReadRange with their records' times."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphtwin.errors import DiscoveryError
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BacnetSource, Binding, SyncRule, read_bindings
from graphtwin.telemetry.connectors.bacnet.connector import BacnetConnector
from graphtwin.telemetry.connectors.bacnet.discovery import discover_addresses
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.readings import Reading, SourceHealth
from graphtwin.telemetry.sync import TwinSync
from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint
from graphtwin.virtual.bacnet_trend_log import TrendLog
from tests.support.bacnet_office import load_office
from tests.support.waiting import wait_until

POLL = SyncRule(mode="poll", period_s=0.1)
COV = SyncRule(mode="subscribe", period_s=0.1)


def _points(count: int) -> list[BacnetPoint]:
    return [
        BacnetPoint("analog-value", i, f"av-{i}", 20.0 + i, "degrees-celsius")
        for i in range(1, count + 1)
    ]


def _source(device: BacnetDevice, **more: object) -> BacnetSource:
    return BacnetSource(
        id="bms",
        type="bacnet",
        local="127.0.0.1:0",
        device=device.instance,
        address=device.address,
        timeout_s=0.3,
        reconnect_max_s=0.5,
        **more,
    )


def _binding(
    instance: int, rule: str, object_type: str = "analog-value", trend_log: str | None = None
) -> Binding:
    return Binding(
        source="bms",
        point={"twin_id": f"urn:t:{instance}"},
        object_type=object_type,
        instance=instance,
        rule=rule,
        trend_log=trend_log,
    )


def _values(readings: list[Reading], binding: Binding) -> list[object]:
    return [r.value for r in readings if r.address == binding.source_address]


async def _run(
    connector: BacnetConnector, body: Callable[[list[Reading], SourceHealth], object]
) -> tuple[list[Reading], SourceHealth]:
    readings: list[Reading] = []
    health = SourceHealth(connector.source_id)
    task = asyncio.create_task(connector.run(readings.append, health))
    try:
        await body(readings, health)  # type: ignore[misc]
        assert not task.done(), "the connector must run until cancelled"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return readings, health


def test_polls_and_cov_deliver_values_with_units_quality_and_per_reason_counts():
    async def scenario() -> None:
        async with BacnetDevice(1001, _points(6), no_cov=["av-3"]) as device:
            polled, followed, refused, offline = (
                _binding(1, "poll"),
                _binding(2, "cov"),
                _binding(3, "cov"),  # the device refuses COV for it: polled instead
                _binding(4, "poll"),
            )
            faulty = _binding(6, "poll")
            missing = _binding(99, "poll")
            wrong_type = _binding(5, "poll", object_type="analog-output")
            bindings = [polled, followed, refused, offline, faulty, missing, wrong_type]
            rules = {"poll": POLL, "cov": COV}
            connector = BacnetConnector(_source(device), bindings, lambda b: rules[b.rule])

            async def body(readings: list[Reading], health: SourceHealth) -> None:
                await wait_until(lambda: len(_values(readings, refused)) >= 3)
                device.set("av-2", 42.5)
                device.set("av-1", 7.0)
                device.out_of_service("av-4")
                device.fault("av-6", "over-range")
                await wait_until(lambda: 42.5 in _values(readings, followed))
                await wait_until(lambda: 7.0 in _values(readings, polled))
                await wait_until(
                    lambda: any(
                        r.quality == "uncertain" for r in readings if r.address == "analog-value,4"
                    )
                )
                await wait_until(lambda: "analog-value,6" in connector.faults)
                assert health.connected

            readings, health = await _run(connector, body)

        # the first read (and the device's first notification), then the change
        assert list(dict.fromkeys(_values(readings, followed))) == [22.0, 42.5]
        assert len(_values(readings, followed)) < len(_values(readings, polled))  # changes only
        assert set(_values(readings, refused)) == {23.0}

        def qualities(address: str) -> set[str]:
            return {r.quality for r in readings if r.address == address}

        assert qualities("analog-value,4") == {"good", "uncertain"}  # its status flag, polled
        assert qualities("analog-value,6") == {"good", "bad"}  # in fault: its reliability read
        assert connector.faults == {"analog-value,6": "over-range"}
        for healthy in ("analog-value,1", "analog-value,2", "analog-value,3"):
            assert qualities(healthy) == {"good"}, healthy
        assert connector.units["analog-value,1"] == "degrees-celsius"
        assert health.failures_by_reason == {
            "cov-optional-functionality-not-supported": 1,
            "unknown-object": 2,  # instance 99, and an analog-output the device does not have
        }
        assert not _values(readings, missing) and not _values(readings, wrong_type)

    asyncio.run(scenario())


def test_a_device_that_goes_silent_and_comes_back_is_found_resubscribed_and_polled_again():
    async def scenario() -> None:
        device = BacnetDevice(1002, _points(2))
        await device.start()
        polled, followed = _binding(1, "poll"), _binding(2, "cov")
        rules = {"poll": POLL, "cov": COV}
        connector = BacnetConnector(
            _source(device, cov_lifetime_s=2), [polled, followed], lambda b: rules[b.rule]
        )

        async def body(readings: list[Reading], health: SourceHealth) -> None:
            await wait_until(lambda: len(_values(readings, polled)) >= 2)
            await device.stop()  # silent: a restarted device forgets its subscriptions
            await wait_until(lambda: not health.connected and health.failures >= 2)
            before = len(readings)
            await asyncio.sleep(0.4)
            assert len(readings) == before  # nothing from a silent device
            device.set("av-1", 11.0)
            device.set("av-2", 12.0)
            await device.start()
            await wait_until(lambda: 11.0 in _values(readings, polled))  # polls resume
            await wait_until(lambda: 12.0 in _values(readings, followed))  # read on return
            assert health.connected
            device.set("av-2", 13.0)  # reported only if COV was subscribed again
            await wait_until(lambda: 13.0 in _values(readings, followed), timeout=3)
            await asyncio.sleep(1.7)  # past 3/4 of the lifetime: the subscription is renewed
            device.set("av-2", 14.0)
            await wait_until(lambda: 14.0 in _values(readings, followed), timeout=3)

        try:
            _, health = await _run(connector, body)
        finally:
            await device.stop()
        assert health.failures_by_reason.get("timeout", 0) >= 2

    asyncio.run(scenario())


def _bindings_file(
    tmp_path: Path, device: BacnetDevice, source: str, body: str, more: str = ""
) -> Path:
    """A bindings file with one bacnet source for `device` (its fields and `more`), then `body`
    (rules and bindings)."""
    path = tmp_path / "bindings.yaml"
    path.write_text(f"""
graphtwin-bindings: 1
history: {{dir: history}}
audit_log: audit.jsonl
pipeline: {{flush_interval_s: 0.05}}
sources:
  - {{id: {source}, type: bacnet, local: "127.0.0.1:0", device: {device.instance},
     address: "{device.address}", timeout_s: 0.5{more}}}
{body}""")
    return path


def _office_bindings(tmp_path: Path, device: BacnetDevice) -> Path:
    rules = "rules:\n  default: {mode: poll, period_s: 0.2, staleness_s: 1.0}\n"
    return _bindings_file(tmp_path, device, "floor-1", rules, ", bind_references: true")


@pytest.mark.neo4j
def test_a_brick_model_with_bacnet_references_binds_itself_into_the_graph_and_history(
    store: TwinStore, tmp_path: Path
):
    referenced = load_office(store)
    served = [
        BacnetPoint("analog-value", int(ident.split(",")[1]), twin_id, float(i))
        for i, (twin_id, ident) in enumerate(sorted(referenced.items()))
    ]
    sat = next(t for t in referenced if t.endswith("ahu-1-sat"))

    def current(twin_id: str) -> dict:
        return store.read("api/nodes_by_id", ids=[twin_id])[0]["n"]["current"]

    def stale_issues(twin_id: str) -> list[dict]:
        rows = store.read(
            "drift/issues_list", statuses=None, types=["staleness"], twin_id=twin_id, limit=9
        )
        return [r["issue"] for r in rows if r["issue"]["status"] != "resolved"]

    async def go() -> TwinSync:
        async with BacnetDevice(1201, served, max_apdu=480) as device:
            device.out_of_service(sat)
            sync = TwinSync(read_bindings(_office_bindings(tmp_path, device)), store)
            assert len(sync.spec.bindings) == len(referenced)  # none written by hand
            running = asyncio.create_task(sync.run())
            try:
                deadline = time.monotonic() + 15
                while True:
                    rows = await asyncio.to_thread(
                        store.read, "api/nodes_by_id", ids=sorted(referenced)
                    )
                    valued = [r for r in rows if r["n"]["current"].get("value") is not None]
                    if len(valued) >= 0.95 * len(referenced) or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.1)
                assert len(valued) >= 0.95 * len(referenced)
                # the out-of-service point reports all along, and still goes stale
                await wait_until(lambda: bool(stale_issues(sat)), timeout=5)
            finally:
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
            return sync

    sync = asyncio.run(go())
    for twin_id, ident in referenced.items():
        expected = float(sorted(referenced).index(twin_id))
        assert current(twin_id)["value"] == expected, ident
    assert current(sat)["quality"] == "uncertain"
    history = sync.history.query(sat)
    assert len(history) >= 2 and set(history["quality"]) == {"uncertain"}


def test_discovery_lists_the_devices_value_objects_with_names_units_and_references():
    points = [*_points(30), BacnetPoint("analog-input", 7, "OAT", 3.0, "degrees-fahrenheit")]

    async def scenario() -> list[DiscoveredAddress]:
        # an object-list of 32 items does not fit a 128-byte APDU: it is read item by item
        async with BacnetDevice(1003, points, max_apdu=128) as device:
            return await discover_addresses(_source(device), timeout_s=0.5)

    found = asyncio.run(scenario())
    assert len(found) == 31  # the device object itself is not a value
    oat = next(f for f in found if f.name == "OAT")
    assert dict(oat.binding_fields) == {"object_type": "analog-input", "instance": 7}
    assert oat.units == "degrees-fahrenheit"
    assert oat.reference == "bacnet:1003:analog-input,7"
    assert {f.reference for f in found} >= {f"bacnet:1003:analog-value,{i}" for i in range(1, 31)}


def test_discovering_a_silent_device_is_a_discovery_error_naming_the_source():
    async def scenario() -> None:
        device = BacnetDevice(1004, _points(1))  # never started
        with pytest.raises(DiscoveryError, match=r"source bms: .* did not answer"):
            await discover_addresses(_source(device), timeout_s=0.2)

    asyncio.run(scenario())


def test_a_virtual_building_served_over_bacnet_syncs_through_its_own_bindings_file():
    from graphtwin.virtual.bacnet_server import VirtualBacnetServer
    from graphtwin.virtual.bindings_file import virtual_bacnet_bindings
    from importers.energyplus.observed import ObservedPoint

    zone = "eplus:office/zone/core"
    moment = datetime(2025, 7, 7, 8, tzinfo=UTC)
    points = [
        ObservedPoint(f"{zone}/air-temperature", "core air temperature", zone,
                      "Zone_Air_Temperature_Sensor", "C", "Zone Air Temperature", "Core"),
        ObservedPoint(f"{zone}/air-humidity", "core air humidity", zone,
                      "Zone_Air_Humidity_Sensor", "%", "Zone Air Relative Humidity", "Core"),
    ]  # fmt: skip

    async def scenario() -> list[Reading]:
        server = VirtualBacnetServer(points)
        await server.start()
        try:
            spec = virtual_bacnet_bindings(
                points,
                model="office",
                address=server.device.address,
                device=server.device.instance,
                period_s=0.1,
                log_period_s=0.1,
            )
            assert isinstance(spec.sources[0], BacnetSource)
            # a short timeout: the Who-Is before the first timestep goes unanswered
            source = spec.sources[0].model_copy(update={"timeout_s": 0.2})
            connector = BacnetConnector(source, spec.bindings, spec.rule_of)
            sample = server.sink(asyncio.get_running_loop(), lambda now: now)

            async def body(readings: list[Reading], _health: SourceHealth) -> None:
                await asyncio.sleep(0.5)
                assert not readings  # no timestep yet: the device is not online, nothing read
                # the engine's thread hands over timesteps: the first brings the device online
                first = {points[0].twin_id: 20.5, points[1].twin_id: 40.0}
                await asyncio.to_thread(sample, moment, first)
                await server.drain()
                await wait_until(lambda: len(readings) >= 4)  # read, and in the trend log
                assert {r.value for r in readings} == {20.5, 40.0}
                # the next one's change: subscribers hear of it
                later = moment + timedelta(minutes=15)
                await asyncio.to_thread(sample, later, {points[0].twin_id: 21.5})
                await server.drain()
                await wait_until(lambda: 21.5 in [r.value for r in readings if r.source_time])

            readings, _ = await _run(connector, body)
            assert connector.units == {
                "analog-value,1": "degrees-celsius",
                "analog-value,2": "percent",
            }
            return readings
        finally:
            await server.stop()

    readings = asyncio.run(scenario())
    changed = [r.address for r in readings if r.value == 21.5]
    assert changed and set(changed) == {"analog-value,1"}  # the binding of the first point
    # its trend logs hold every timestep at the time it was served
    logged = [(r.address, r.value, r.source_time) for r in readings if r.source_time]
    assert logged == [
        ("analog-value,1", 20.5, moment),
        ("analog-value,2", 40.0, moment),
        ("analog-value,1", 21.5, moment + timedelta(minutes=15)),
        ("analog-value,2", 40.0, moment + timedelta(minutes=15)),
    ]


def test_trend_logs_are_read_back_with_their_records_times_and_a_gap_is_counted():
    start = datetime(2025, 7, 7, 8, tzinfo=UTC)
    logs = [
        TrendLog(("trend-log-multiple", 1), ["analog-value,1", "analog-value,2"], buffer_size=4),
        TrendLog(("trend-log", 7), ["analog-value,3"]),
    ]
    once = SyncRule(mode="poll", period_s=30.0)  # present-values: read at the start only
    first, second, single = (
        _binding(1, "once", trend_log="trend-log-multiple,1"),
        _binding(2, "once", trend_log="trend-log-multiple,1"),
        _binding(3, "once", trend_log="trend-log,7"),
    )
    stray = _binding(4, "once", trend_log="trend-log-multiple,1")  # not in that log

    def logged(readings: list[Reading], binding: Binding) -> list[tuple[int, float, str]]:
        """(minutes after the start, value, quality) of the binding's trend log readings."""
        return [
            ((r.source_time - start) // timedelta(minutes=1), r.value, r.quality)
            for r in readings
            if r.address == binding.source_address and r.source_time is not None
        ]

    async def scenario() -> tuple[list[Reading], SourceHealth, BacnetConnector]:
        async with BacnetDevice(1005, _points(4), trend_logs=logs) as device:
            for step in range(3):  # a history logged before the twin connects
                device.set_many({"av-1": 10.0 + step, "av-2": 50.0 + step, "av-3": 5.0 + step})
                if step == 2:
                    device.out_of_service("av-3")
                device.log(start + timedelta(minutes=15 * step))
            source = _source(device, log_period_s=0.1)
            bindings = [first, second, single, stray]
            connector = BacnetConnector(source, bindings, lambda _b: once)

            async def body(readings: list[Reading], _health: SourceHealth) -> None:
                await wait_until(lambda: len(logged(readings, single)) == 3)
                await wait_until(lambda: len(logged(readings, second)) == 3)
                # six records while the twin does not read: the buffer of 4 loses two
                for step in range(3, 9):
                    device.set_many({"av-1": 10.0 + step, "av-2": 50.0 + step})
                    device.log(start + timedelta(minutes=15 * step))
                await wait_until(lambda: 18.0 in [v for _, v, _ in logged(readings, first)])
                await wait_until(lambda: len(logged(readings, single)) == 9)

            readings, health = await _run(connector, body)
            return readings, health, connector

    readings, health, connector = asyncio.run(scenario())
    # every record the log still held, at its own time; steps 3 and 4 went round the buffer
    assert logged(readings, first) == [
        (15 * step, 10.0 + step, "good") for step in (0, 1, 2, 5, 6, 7, 8)
    ]
    assert [v for _, v, _ in logged(readings, second)] == [50.0 + s for s in (0, 1, 2, 5, 6, 7, 8)]
    # a trend log's records carry the object's status flags: out of service is uncertain
    assert logged(readings, single) == [(0, 5.0, "good"), (15, 6.0, "good")] + [
        (15 * step, 7.0, "uncertain") for step in range(2, 9)
    ]
    assert connector.trend_logs.missed == {"1005/trend-log-multiple,1": 2}
    assert health.failures_by_reason == {"trend-log-gap": 1, "not-in-trend-log": 1}
    assert not logged(readings, stray)
    assert _values(readings, stray) == [24.0]  # its present-value is read as before


@pytest.mark.neo4j
def test_values_arrive_in_their_points_units_another_quantity_is_not_written_unknown_is_as_is(
    store: TwinStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    referenced = load_office(store)  # its temperature points are in DEG_C, pressure in PA

    def point(suffix: str) -> str:
        return next(t for t in referenced if t.endswith(suffix))

    sat, mat, rat, oat, sap = (point(s) for s in ("sat", "mat", "rat", "oat", "sap"))
    served = [
        BacnetPoint("analog-value", 1, sat, 68.0, "degrees-fahrenheit"),  # polled
        BacnetPoint("analog-value", 2, mat, 50.0, "degrees-fahrenheit"),  # COV
        BacnetPoint("analog-value", 3, rat, 400.0, "cubic-feet-per-minute"),  # a flow
        BacnetPoint("analog-value", 4, oat, 5.0, "lumens"),  # a unit graphtwin does not know
        BacnetPoint("analog-value", 5, sap, 0.25, "kilopascals"),
    ]

    def current(twin_id: str) -> dict:
        return store.read("api/nodes_by_id", ids=[twin_id])[0]["n"]["current"]

    async def go() -> TwinSync:
        async with BacnetDevice(1301, served) as device:
            bindings = "".join(
                f"  - {{source: bms, object_type: analog-value, instance: {i}, point: "
                f'{{twin_id: "{p.name}"}}{", rule: cov" if i == 2 else ""}}}\n'
                for i, p in enumerate(served, 1)
            )
            rules = """rules:
  default: {mode: poll, period_s: 0.1}
  cov: {mode: subscribe, period_s: 0.1}
"""
            path = _bindings_file(tmp_path, device, "bms", f"{rules}bindings:\n{bindings}")
            sync = TwinSync(read_bindings(path), store)
            running = asyncio.create_task(sync.run())
            try:
                await wait_until(lambda: current(sap).get("value") == 250.0, timeout=10)
                await wait_until(lambda: current(mat).get("value") == 10.0, timeout=5)
                device.set(sat, 77.0)
                device.set(mat, 59.0)  # told by COV notification, converted too
                await wait_until(lambda: current(sat).get("value") == 25.0, timeout=5)
                await wait_until(lambda: current(mat).get("value") == 15.0, timeout=5)
                await asyncio.sleep(0.3)  # polls go on: the bad objects are still left out
            finally:
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
            return sync

    with caplog.at_level("WARNING", logger="graphtwin.telemetry.connectors.bacnet.connector"):
        sync = asyncio.run(go())

    assert current(rat).get("value") is None and sync.history.query(rat).empty
    assert current(oat).get("value") == 5.0  # unchecked: written as it is
    assert set(sync.history.query(sat)["value"]) == {20.0, 25.0}
    assert set(sync.history.query(mat)["value"]) == {10.0, 15.0}
    health = sync.health["bms"]
    assert health.failures_by_reason == {"incompatible-units": 1}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2, warnings  # once per binding, not per value
    [flow] = [w for w in warnings if "incompatible-units" in w]
    assert all(word in flow for word in ("analog-value,3", rat, "cubic-feet-per-minute", "DEG_C"))
    assert any("cannot be checked" in w and "lumens" in w and oat in w for w in warnings)


def test_trend_log_records_and_polls_arrive_in_the_points_unit_and_a_wrong_quantity_in_none():
    from graphtwin.telemetry.routing import Route

    start = datetime(2025, 7, 7, 8, tzinfo=UTC)
    points = [
        *_points(8),  # polled before them: a slow first poll (two objects a request)
        BacnetPoint("analog-value", 9, "sat", 50.0, "degrees-fahrenheit"),
        BacnetPoint("analog-value", 10, "flow", 10.0, "liters-per-second"),
    ]
    logs = [TrendLog(("trend-log-multiple", 1), ["analog-value,9", "analog-value,10"])]
    once = SyncRule(mode="poll", period_s=30.0)
    others = [_binding(i, "once") for i in range(1, 9)]
    sat, flow = (_binding(i, "once", trend_log="trend-log-multiple,1") for i in (9, 10))
    routes = {
        sat.source_address: Route("urn:t:1", None, once, unit="DEG_C"),
        flow.source_address: Route("urn:t:2", None, once, unit="DEG_C"),  # bound wrongly
    }

    async def scenario() -> tuple[list[Reading], SourceHealth]:
        async with BacnetDevice(1006, points, trend_logs=logs, max_apdu=128) as device:
            for step in range(3):  # logged before the twin connects: read before any poll
                device.set_many({"sat": 50.0 + 9 * step, "flow": 10.0 + step})
                device.log(start + timedelta(minutes=15 * step))
            source = _source(device, log_period_s=0.1)
            bindings = [*others, sat, flow]
            connector = BacnetConnector(source, bindings, lambda _b: once, points=routes)

            async def body(readings: list[Reading], _health: SourceHealth) -> None:
                await wait_until(lambda: len(_values(readings, sat)) >= 4)  # 3 logged, 1 read
                await asyncio.sleep(0.3)  # more trend log reads: nothing of the flow

            return await _run(connector, body)

    readings, health = asyncio.run(scenario())
    logged = [(r.value, r.source_time) for r in readings if r.source_time is not None]
    assert logged == [(10.0 + 5 * step, start + timedelta(minutes=15 * step)) for step in range(3)]
    assert _values(readings, sat)[-1] == 20.0  # 68 degF, polled
    assert not _values(readings, flow)
    assert health.failures_by_reason == {"incompatible-units": 1}
