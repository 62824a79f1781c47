"""`graphtwin bind --suggest` through each protocol's discovery, end to end on the real graph:
a bacpypes3 device serving a Brick model's referenced objects, an MQTT broker (amqtt, started by
the test) listened to for a while. (OPC UA: test_browse_suggest.py.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiomqtt
from click.testing import Result
from typer.testing import CliRunner

from graphtwin.cli.main import app
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.virtual.bacnet_device import BacnetDevice, BacnetPoint
from tests.support.bacnet_office import load_office
from tests.support.mqtt_broker import MqttBroker
from tests.support.telemetry_twin import load_plant


def bind(env: dict[str, str], *args: object) -> Result:
    """`graphtwin bind` in this process, on the session's server (no interpreter to start)."""
    return CliRunner().invoke(app, ["bind", "--suggest", *map(str, args)], env=env)


def test_bind_suggest_binds_a_brick_models_bacnet_references_to_the_devices_objects(
    neo4j_env: dict[str, str], store: TwinStore, tmp_path: Path
):
    referenced = load_office(store)
    # object names that say nothing: only the references can bind them
    served = [
        BacnetPoint("analog-value", int(ident.split(",")[1]), f"obj {i}", 1.0)
        for i, ident in enumerate(sorted(referenced.values()))
    ]
    out = tmp_path / "suggested.yaml"

    async def scenario() -> str:
        async with BacnetDevice(1201, served) as device:
            config = tmp_path / "sources.yaml"
            config.write_text(
                "graphtwin-bindings: 1\nsources:\n"
                f'  - {{id: bms, type: bacnet, local: "127.0.0.1:0", device: 1201, '
                f'address: "{device.address}"}}\n',
                encoding="utf-8",
            )
            args = ["--config", config, "--source", "bms", "--timeout-s", "2", "--out", out]
            done = await asyncio.to_thread(bind, neo4j_env, *args, "--json")
        assert done.exit_code == 0, done.output
        return done.stdout

    document = json.loads(asyncio.run(scenario()))
    by_reference = {s["twin_id"]: s for s in document["suggestions"] if s["confidence"] == 1.0}
    assert len(by_reference) >= 0.95 * len(referenced)
    for twin_id, suggestion in by_reference.items():
        assert suggestion["address"]["reference"].endswith(f":{referenced[twin_id]}")
        assert "reference bacnet:1201:" in suggestion["reason"]
    spec = read_bindings(out)
    bound = {b.point.twin_id: f"{b.object_type},{b.instance}" for b in spec.bindings}
    assert {t: bound[t] for t in by_reference} == {t: referenced[t] for t in by_reference}


def test_bind_suggest_listens_to_an_mqtt_broker_and_binds_by_topic_then_by_name(
    neo4j_env: dict[str, str], store: TwinStore, tmp_path: Path
):
    load_plant(store, tmp_path)  # ahu-1.sat has timeseries id ahu1/sat; ahu-1.oat has none
    out = tmp_path / "suggested.yaml"
    with MqttBroker(tmp_path) as broker:

        async def retain() -> None:  # retained: the listener gets them as it subscribes
            async with aiomqtt.Client("127.0.0.1", broker.port, identifier="bms") as client:
                for topic, payload in [
                    ("ahu1/sat", b"14.2"),
                    ("plant/ahu-1/oat", b'{"value": 12.5, "status": "ok"}'),
                    ("plant/boiler/kwh", b"3"),
                ]:
                    await client.publish(topic, payload, qos=1, retain=True)

        asyncio.run(retain())
        config = tmp_path / "sources.yaml"
        config.write_text(
            f"graphtwin-bindings: 1\nsources:\n  - {{id: bms, type: mqtt, broker: {broker.url}}}\n",
            encoding="utf-8",
        )
        done = bind(
            neo4j_env, "--config", config, "--source", "bms", "--listen-s", "1.5", "--out", out,
            "--json",
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    chosen = {s["twin_id"]: (s["binding"], s["confidence"]) for s in document["suggestions"]}
    assert chosen["ahu-1.sat"] == (
        {"source": "bms", "topic": "ahu1/sat", "point": {"twin_id": "ahu-1.sat"}},
        1.0,
    )
    oat, confidence = chosen["ahu-1.oat"]
    assert (oat["topic"], oat["field"]) == ("plant/ahu-1/oat", "value")
    assert 0.5 <= confidence < 0.9
    assert [p["twin_id"] for p in document["unmatched_points"]] == ["ahu-1.fan"]
    assert [a["reference"] for a in document["unmatched_addresses"]] == ["mqtt:plant/boiler/kwh"]

    spec = read_bindings(out)
    assert {(b.topic, b.field, b.point.twin_id) for b in spec.bindings} == {
        ("ahu1/sat", None, "ahu-1.sat"),
        ("plant/ahu-1/oat", "value", "ahu-1.oat"),
    }


def test_an_unknown_within_root_exits_2_before_discovery_and_writes_nothing(
    neo4j_env: dict[str, str], store: TwinStore, tmp_path: Path
):
    load_plant(store, tmp_path)
    config = tmp_path / "sources.yaml"
    config.write_text(  # a broker nobody runs: discovery would fail with exit 1
        "graphtwin-bindings: 1\nsources:\n  - {id: bms, type: mqtt, broker: mqtt://127.0.0.1:1}\n",
        encoding="utf-8",
    )
    out = tmp_path / "suggested.yaml"
    done = bind(
        neo4j_env, "--config", config, "--source", "bms", "--within", "no-such", "--out", out
    )
    assert done.exit_code == 2, done.output
    assert "no-such: no twin entity with this twin_id" in done.output
    assert not out.exists()
