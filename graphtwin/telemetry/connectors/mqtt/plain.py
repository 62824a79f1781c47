"""Plain MQTT topics: a payload that is a number, or JSON with the bound value at a JSONPath.

A message that cannot give its bound value is counted by reason on the source's health and
nothing is delivered for it: `not_a_number` (the payload, or the field's value, is not a
number), `bad_json` (a field is bound and the payload is not JSON), `field_missing` (the JSON
has no value at the field's path).

>>> from graphtwin.telemetry.readings import SourceHealth
>>> got = []
>>> decoder = PlainDecoder("m", [("bldg/+/temp", None), ("bldg/ahu/state", "$.sat")])
>>> decoder.handle("bldg/vav-1/temp", b"21.5", got.append, SourceHealth("m"))
>>> decoder.handle("bldg/ahu/state", b'{"sat": 14}', got.append, SourceHealth("m"))
>>> [(r.address, r.value) for r in got]
[('mqtt:bldg/vav-1/temp', 21.5), ('mqtt:bldg/ahu/state|$.sat', 14)]
"""

from __future__ import annotations

from typing import Any

import orjson
from jsonpath_ng import JSONPath
from jsonpath_ng import parse as parse_jsonpath

from graphtwin.telemetry.mqtt_topics import has_wildcard, mqtt_address, topic_matches
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

_NUMBERS = (int, float)  # bool is an int: a JSON true is 1.0, as the pipeline takes it

NOT_A_NUMBER, BAD_JSON, FIELD_MISSING = "not_a_number", "bad_json", "field_missing"


class PlainDecoder:
    """Turns messages on the bound topics into readings (see the module doc)."""

    def __init__(self, source_id: str, bound: list[tuple[str, str | None]]) -> None:
        """`bound`: (topic or topic filter, field or None) of each binding."""
        self.source_id = source_id
        self.outbox: list[tuple[str, bytes]] = []  # plain topics never ask the broker anything
        self._exact: dict[str, list[tuple[str | None, JSONPath | None]]] = {}
        self._filters: list[tuple[str, str | None, JSONPath | None]] = []
        for topic, field in bound:
            path = parse_jsonpath(field) if field is not None else None
            if has_wildcard(topic):
                self._filters.append((topic, field, path))
            else:
                self._exact.setdefault(topic, []).append((field, path))

    def subscriptions(self) -> list[str]:
        """The topic filters to subscribe to (each bound topic once)."""
        return sorted({*self._exact, *(f for f, _, _ in self._filters)})

    def handle(self, topic: str, payload: bytes, sink: ReadingSink, health: SourceHealth) -> None:
        entries = self._exact.get(topic, [])
        if self._filters:
            entries = entries + [(f, p) for t, f, p in self._filters if topic_matches(t, topic)]
        document: Any = _UNPARSED
        for field, path in entries:
            if path is None:
                value = _number(payload)
            else:
                if document is _UNPARSED:
                    document = _json(payload)
                value = BAD_JSON if document is _BAD else _pick(document, path)
            if isinstance(value, str):
                health.failure(value)
                continue
            sink(Reading(self.source_id, mqtt_address(topic, field, None), value))


_UNPARSED, _BAD = object(), object()


def _number(payload: bytes) -> float | str:
    try:
        return float(payload)
    except ValueError:
        return NOT_A_NUMBER


def _json(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return _BAD


def _pick(document: Any, path: JSONPath) -> float | int | str:
    found = path.find(document)
    if not found:
        return FIELD_MISSING
    value = found[0].value
    return value if isinstance(value, _NUMBERS) else NOT_A_NUMBER
