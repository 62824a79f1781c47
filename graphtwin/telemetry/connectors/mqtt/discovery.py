"""What an MQTT broker carries: listen for a while and report what could be bound.

A plain source listens to every topic (`#`): a topic whose payload is a number is one address;
a JSON object's numeric fields are one address each (`field` as a JSONPath such as
`data.temp` or `readings[0].v`). A Sparkplug B source listens to its group and reports every
numeric metric its nodes and devices announced (births) or sent (data); a node whose data
comes before any birth we heard is asked to rebirth.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

import aiomqtt
import orjson

from graphtwin.errors import DiscoveryError
from graphtwin.telemetry.bindings import MqttSource
from graphtwin.telemetry.connectors.mqtt.client import make_client
from graphtwin.telemetry.connectors.mqtt.sparkplug import SparkplugDecoder
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.readings import Reading, SourceHealth

MAX_FIELDS_PER_TOPIC = 200
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # a key a dotted JSONPath can name plainly


async def discover_addresses(source: MqttSource, *, listen_s: float) -> list[DiscoveredAddress]:
    """The addresses the broker carried while we listened for `listen_s` seconds, by address.
    A broker that cannot be reached is a DiscoveryError."""
    found: dict[str, DiscoveredAddress] = {}
    health = SourceHealth(source.id)
    decoder = (
        SparkplugDecoder(source.id, source.sparkplug.group_id, None)
        if source.sparkplug is not None
        else None
    )

    def collect(reading: Reading) -> None:
        metric = reading.address.removeprefix("spb:")
        group, edge, device, name = metric.split("/", 3)
        if name.startswith("Node Control/"):
            return  # the node's own controls (rebirth, reboot), not telemetry
        found[reading.address] = DiscoveredAddress(
            {"metric": metric}, name=name, reference=reading.address, path=(group, edge, device)
        )

    try:
        async with make_client(source, suffix="-discovery") as client:
            await client.subscribe(decoder.subscriptions()[0] if decoder else "#", qos=0)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(listen_s):
                    async for message in client.messages:
                        payload = message.payload
                        if not isinstance(payload, bytes | bytearray):
                            continue
                        topic = message.topic.value
                        if decoder is not None:
                            decoder.handle(topic, bytes(payload), collect, health)
                            while decoder.outbox:  # nodes born before we listened: rebirth
                                await client.publish(*decoder.outbox.pop(0), qos=0)
                        else:
                            for address in plain_addresses(topic, bytes(payload)):
                                found[address.reference or ""] = address
    except aiomqtt.MqttError as exc:
        raise DiscoveryError(source.id, f"broker {source.broker}: {exc}") from exc
    return sorted(found.values(), key=lambda a: a.reference or "")


def plain_addresses(topic: str, payload: bytes) -> list[DiscoveredAddress]:
    """What one plain message offers: the topic itself (a number) or its JSON's numeric fields.

    >>> [a.binding_fields for a in plain_addresses("b/ahu/sat", b"14.2")]
    [{'topic': 'b/ahu/sat'}]
    >>> [a.reference for a in plain_addresses("b/vav", b'{"t": 21, "r": [{"v": 1}], "s": "ok"}')]
    ['mqtt:b/vav|t', 'mqtt:b/vav|r[0].v']
    """
    levels = tuple(topic.split("/"))
    try:
        float(payload)
    except ValueError:
        pass
    else:
        return [
            DiscoveredAddress(
                {"topic": topic}, name=topic, reference=f"mqtt:{topic}", path=levels[:-1]
            )
        ]
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return []
    return [
        DiscoveredAddress(
            {"topic": topic, "field": field},
            name=f"{levels[-1]} {field}",
            reference=f"mqtt:{topic}|{field}",
            path=levels,
        )
        for field in islice(_numeric_fields(document, ""), MAX_FIELDS_PER_TOPIC)
    ]


def _numeric_fields(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, bool | int | float) and path:
        yield path
    elif isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and _KEY.match(key):
                yield from _numeric_fields(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and path:
        for i, inner in enumerate(value):
            yield from _numeric_fields(inner, f"{path}[{i}]")
