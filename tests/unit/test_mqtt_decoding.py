"""MQTT payloads to readings without a broker: plain numbers and JSON fields, Sparkplug B
births, aliases, data and deaths, topic templates, the bindings' MQTT checks, and points made
stale at once."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import aiomqtt
import pysparkplug as spb
import pytest
from pydantic import ValidationError

from graphtwin.drift.staleness import StalenessMonitor
from graphtwin.errors import ConfigurationError, SchemaViolationError
from graphtwin.telemetry.bindings import Binding, BindingsFile, MqttSource, read_bindings
from graphtwin.telemetry.connectors.mqtt.client import counting_queue
from graphtwin.telemetry.connectors.mqtt.connector import MqttConnector
from graphtwin.telemetry.connectors.mqtt.discovery import plain_addresses
from graphtwin.telemetry.connectors.mqtt.plain import PlainDecoder
from graphtwin.telemetry.connectors.mqtt.sparkplug import SparkplugDecoder
from graphtwin.telemetry.mqtt_topics import PointTemplate, fill_topic, topic_matches
from graphtwin.telemetry.readings import Reading, SourceHealth

INT, DOUBLE, STRING = spb.DataType.INT64, spb.DataType.DOUBLE, spb.DataType.STRING
T0 = 1_790_000_000_000  # ms


def run(decoder, messages: list[tuple[str, bytes]]) -> tuple[list[Reading], SourceHealth]:
    got: list[Reading] = []
    health = SourceHealth("m")
    for topic, payload in messages:
        decoder.handle(topic, payload, got.append, health)
    return got, health


# --- plain topics ----------------------------------------------------------------------------


def test_a_number_payload_and_json_fields_become_readings_under_their_addresses():
    decoder = PlainDecoder(
        "m", [("b/ahu/sat", None), ("b/vav/+", "data.temp"), ("b/vav/+", "$.readings[1].v")]
    )
    got, health = run(
        decoder,
        [
            ("b/ahu/sat", b"14.25"),
            ("b/vav/201", b'{"data": {"temp": 21}, "readings": [{"v": 1}, {"v": true}]}'),
        ],
    )
    assert [(r.address, r.value) for r in got] == [
        ("mqtt:b/ahu/sat", 14.25),
        ("mqtt:b/vav/201|data.temp", 21),
        ("mqtt:b/vav/201|$.readings[1].v", True),
    ]
    assert health.failures == 0
    assert decoder.subscriptions() == ["b/ahu/sat", "b/vav/+"]


def test_malformed_plain_payloads_are_counted_by_reason_and_deliver_nothing():
    decoder = PlainDecoder("m", [("n", None), ("j", "value")])
    got, health = run(
        decoder,
        [("n", b"warm"), ("j", b"{not json"), ("j", b'{"other": 1}'), ("j", b'{"value": "x"}')],
    )
    assert got == []
    assert health.failures_by_reason == {
        "not_a_number": 2,
        "bad_json": 1,
        "field_missing": 1,
    }


def test_discovery_offers_a_number_topic_and_each_numeric_json_field():
    (number,) = plain_addresses("b/ahu/sat", b"14")
    assert number.binding_fields == {"topic": "b/ahu/sat"} and number.path == ("b", "ahu")
    fields = plain_addresses("b/vav", b'{"t": 21, "on": false, "name": "x", "r": [{"v": 1}]}')
    assert [a.binding_fields["field"] for a in fields] == ["t", "on", "r[0].v"]
    assert plain_addresses("b/log", b"hello") == []


# --- topic templates -------------------------------------------------------------------------


def test_a_point_template_spells_its_points_from_the_topics_plus_levels():
    template = PointTemplate("urn:b/{1}/{2}-t{1}")
    assert template.prefix == "urn:b/"
    assert template.match("urn:b/ahu/sa-tahu") == ("ahu", "sa")
    assert template.match("urn:b/ahu/sa-tvav") is None  # {1} twice must be the same level
    assert template.match("urn:b/a/b/sa-ta/b") is None  # a level never holds a /
    assert fill_topic("x/+/y/+", ("ahu", "sa")) == "x/ahu/y/sa"
    assert topic_matches("x/+/y", "x/a/y") and not topic_matches("x/+/y", "x/a/b/y")
    assert topic_matches("x/#", "x/a/b") and not topic_matches("x/+", "x")


@pytest.mark.parametrize(
    ("topic", "point", "why"),
    [
        ("b/+/t", "urn:b/vav", "must name each"),
        ("b/t", "urn:b/{1}", "must name each"),
        ("b/+/+", "urn:{1}", "must name each"),
        ("b/#", "urn:b", "whole levels only"),
        ("b/x+/t", "urn:{1}", "whole levels only"),
    ],
)
def test_a_binding_topic_must_name_every_plus_level_in_its_point(topic, point, why):
    with pytest.raises(ValidationError, match=why):
        Binding(source="m", topic=topic, point={"twin_id": point})


def _spec(source: dict, binding: dict) -> BindingsFile:
    return BindingsFile.model_validate(
        {"graphtwin-bindings": 1, "sources": [source], "bindings": [binding]}
    )


def test_mqtt_sources_and_bindings_are_checked_against_each_other():
    plain = {"id": "m", "type": "mqtt", "broker": "mqtt://127.0.0.1:1883"}
    sparkplug = {**plain, "sparkplug": {"group_id": "plant"}}
    metric = {"source": "m", "metric": "plant/e1/-/Temp", "point": {"twin_id": "t"}}
    topic = {"source": "m", "topic": "b/t", "point": {"twin_id": "t"}}
    assert _spec(sparkplug, metric).checked().bindings[0].source_address == "spb:plant/e1/-/Temp"
    assert _spec(plain, topic).checked().sources[0].port == 1883
    with pytest.raises(SchemaViolationError, match="needs a source with sparkplug"):
        _spec(plain, metric).checked()
    with pytest.raises(SchemaViolationError, match="name a metric, not a topic"):
        _spec(sparkplug, topic).checked()
    with pytest.raises(ValidationError, match="field picks a value"):
        _spec(sparkplug, {**metric, "field": "v"})
    with pytest.raises(ValidationError, match="broker"):
        _spec({**plain, "broker": "tcp://127.0.0.1"}, topic)


def test_an_mqtt_sources_tls_files_are_taken_from_the_bindings_files_folder(tmp_path):
    path = tmp_path / "conf" / "bindings.yaml"
    path.parent.mkdir()
    path.write_text(
        "graphtwin-bindings: 1\nsources:\n  - {id: m, type: mqtt, broker: mqtts://b:8883,\n"
        "     tls: {ca_file: certs/ca.pem, cert_file: /etc/c.pem, key_file: k.pem}}\n"
    )
    (source,) = read_bindings(path).sources
    assert source.tls.ca_file == tmp_path / "conf" / "certs" / "ca.pem"
    assert source.tls.cert_file == Path("/etc/c.pem")  # absolute stays
    assert source.tls.key_file == tmp_path / "conf" / "k.pem"
    assert source.port == 8883


def test_a_connector_without_its_password_or_tls_file_is_a_configuration_error_at_once(tmp_path):
    binding = Binding(source="m", topic="t", point={"twin_id": "p"})
    broker = {"id": "m", "type": "mqtt", "broker": "mqtt://127.0.0.1:1883"}
    unset = MqttSource(**broker, password_env="GRAPHTWIN_TEST_NO_SUCH_VARIABLE")
    with pytest.raises(ConfigurationError, match="GRAPHTWIN_TEST_NO_SUCH_VARIABLE"):
        MqttConnector(unset, [binding])
    missing = MqttSource(
        **{**broker, "broker": "mqtts://127.0.0.1:8883"}, tls={"ca_file": tmp_path / "ca.pem"}
    )
    with pytest.raises(ConfigurationError, match=r"ca\.pem does not exist"):
        MqttConnector(missing, [binding])


# --- Sparkplug B -----------------------------------------------------------------------------


def _metric(name: str | None, value, alias: int | None = None, dtype=DOUBLE, at=None):
    return spb.Metric(timestamp=at, name=name, datatype=dtype, value=value, alias=alias)


def nbirth(seq: int = 0, bd_seq: int = 0, *metrics: spb.Metric) -> bytes:
    bd = _metric("bdSeq", bd_seq, dtype=INT)
    return spb.NBirth(T0, seq, [bd, *metrics]).encode(include_dtypes=True)


def dbirth(*metrics: spb.Metric) -> bytes:
    return spb.DBirth(T0, 1, list(metrics)).encode(include_dtypes=True)


def ddata(*metrics: spb.Metric) -> bytes:
    return spb.DData(T0 + 1000, 2, list(metrics)).encode()


def ndeath(bd_seq: int) -> bytes:
    return spb.NDeath(None, _metric("bdSeq", bd_seq, dtype=INT)).encode()


BOUND = ["spb:g/e1/-/Power", "spb:g/e1/d1/Temp", "spb:g/e1/d1/Mode", "spb:g/e2/d1/Temp"]


def test_births_name_aliases_and_data_carries_values_with_the_metrics_timestamps():
    decoder = SparkplugDecoder("m", "g", BOUND)
    got, health = run(
        decoder,
        [
            ("spBv1.0/g/NBIRTH/e1", nbirth(0, 0, _metric("Power", 3.5, alias=1))),
            ("spBv1.0/g/DBIRTH/e1/d1", dbirth(_metric("Temp", 20.0, alias=7))),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric(None, 21.5, alias=7, at=T0 + 500))),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric("Temp", 22.0))),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric("Unbound", 1.0))),
        ],
    )
    assert [(r.address, r.value) for r in got] == [
        ("spb:g/e1/-/Power", 3.5),
        ("spb:g/e1/d1/Temp", 20.0),
        ("spb:g/e1/d1/Temp", 21.5),
        ("spb:g/e1/d1/Temp", 22.0),
    ]
    stamps = [int(r.source_time.timestamp() * 1000) for r in got]
    assert stamps == [T0, T0, T0 + 500, T0 + 1000]  # the metric's time, else the payload's
    assert health.failures_by_reason == {"unknown_metric": 1}  # not in the birth


def test_ddata_before_its_dbirth_is_counted_and_dropped_until_the_birth_arrives():
    decoder = SparkplugDecoder("m", "g", BOUND)
    early = ddata(_metric("Temp", 19.0))
    got, health = run(
        decoder,
        [
            ("spBv1.0/g/DDATA/e1/d1", early),  # nothing born yet
            ("spBv1.0/g/NBIRTH/e1", nbirth()),
            ("spBv1.0/g/DDATA/e1/d1", early),  # the node, not yet the device
            ("spBv1.0/g/DBIRTH/e1/d1", dbirth(_metric("Temp", 20.0, alias=7))),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric(None, 21.0, alias=7))),
        ],
    )
    assert health.failures_by_reason == {"before_birth": 2}
    assert [r.value for r in got] == [20.0, 21.0]
    (request,) = decoder.outbox  # the node is asked once (not per message) to be born again
    assert request[0] == "spBv1.0/g/NCMD/e1"
    (command,) = spb.NCmd.decode(request[1]).metrics
    assert (command.name, command.value) == ("Node Control/Rebirth", True)


def test_a_death_reports_its_nodes_or_devices_bound_points_stale_and_needs_a_new_birth():
    stale: list[tuple[list[str], str]] = []
    decoder = SparkplugDecoder("m", "g", BOUND, lambda a, why: stale.append((sorted(a), why)))
    born = [
        ("spBv1.0/g/NBIRTH/e1", nbirth(0, 5)),
        ("spBv1.0/g/DBIRTH/e1/d1", dbirth(_metric("Temp", 20.0))),
    ]
    run(decoder, [*born, ("spBv1.0/g/DDEATH/e1/d1", spb.DDeath(T0, 3).encode())])
    assert stale == [(["spb:g/e1/d1/Mode", "spb:g/e1/d1/Temp"], "device g/e1/d1 DDEATH")]
    stale.clear()
    _, health = run(
        decoder,
        [
            *born,
            ("spBv1.0/g/NDEATH/e1", ndeath(4)),  # a late will of the session before: ignored
            ("spBv1.0/g/NDEATH/e1", ndeath(5)),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric("Temp", 1.0))),
        ],
    )
    assert stale == [
        (["spb:g/e1/-/Power", "spb:g/e1/d1/Mode", "spb:g/e1/d1/Temp"], "edge node g/e1 NDEATH")
    ]
    assert health.failures_by_reason == {"before_birth": 1}
    assert not decoder.born("g", "e1", "d1")


def test_malformed_sparkplug_messages_are_counted_by_reason_and_deliver_nothing():
    decoder = SparkplugDecoder("m", "g", BOUND)
    got, health = run(
        decoder,
        [
            ("spBv1.0/g/NBIRTH/e1", b"\xff\xff not protobuf"),
            ("spBv1.0/g/NBIRTH/e1", nbirth()),
            ("spBv1.0/g/DBIRTH/e1/d1", dbirth(_metric("Mode", "auto", dtype=STRING, alias=2))),
            ("spBv1.0/g/DDATA/e1/d1", ddata(_metric(None, 1.0, alias=99))),
            ("spBv1.0/g/DDATA/e1/d1/extra", ddata()),
        ],
    )
    assert got == []
    assert health.failures_by_reason == {
        "bad_protobuf": 1,
        "not_a_number": 1,
        "unknown_alias": 1,
        "bad_topic": 1,
    }


# --- the bounded queue ------------------------------------------------------------------------


def test_a_full_message_queue_refuses_a_message_and_counts_it():
    refused: list[int] = []
    queue = counting_queue(lambda: refused.append(1))(maxsize=2)
    message = aiomqtt.Message("t", b"1", qos=0, retain=False, mid=1, properties=None)
    queue.put_nowait(message)
    queue.put_nowait(message)
    with pytest.raises(asyncio.QueueFull):
        queue.put_nowait(message)
    assert refused == [1] and queue.qsize() == 2


# --- stale at once -----------------------------------------------------------------------------


def test_mark_stale_opens_a_staleness_issue_now_even_without_a_limit_and_a_value_resolves_it():
    monitor = StalenessMonitor()
    opened = monitor.mark_stale("p1", T0, "edge node g/e1 NDEATH", rule="r")
    assert opened is not None and opened.twin_id == "p1" and opened.rule == "r"
    assert "NDEATH" in opened.description
    assert monitor.mark_stale("p1", T0 + 1, "again") is None  # stale already
    assert monitor.check(T0 + 10**9) == []  # no limit: never stale by the clock
    resolved = monitor.seen("p1", T0 + 5)
    assert resolved is not None and resolved.issue_id == opened.issue_id
    assert math.isinf(monitor._watches["p1"].limit_s)
