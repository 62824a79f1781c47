"""The body of POST /telemetry (and of recordPointValues): one model, its limits, its names,
and the JSON Schema published from it."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from graphtwin.telemetry.http_ingest import (
    MAX_READINGS,
    TelemetryPush,
    telemetry_push_json_schema,
)
from tests.conftest import ROOT


def body(**reading: object) -> dict[str, object]:
    return {"source": "http", "readings": [{"point": "p-1", "value": 1.0, **reading}]}


def test_the_published_schema_is_current():
    published = json.loads((ROOT / "docs" / "telemetry-push.schema.json").read_text())
    assert published == telemetry_push_json_schema()


def test_at_is_the_source_time_and_timestamp_is_its_deprecated_alias():
    new = TelemetryPush.model_validate(body(at="2026-11-21T09:00:00Z"))
    old = TelemetryPush.model_validate(body(timestamp="2026-11-21T09:00:00Z"))
    assert new.readings[0].at == old.readings[0].at
    assert new.deprecated_names() == []
    assert old.deprecated_names() == ["timestamp"]
    schema = telemetry_push_json_schema()["$defs"]["PushedReading"]["properties"]
    assert schema["timestamp"]["deprecated"] is True


@pytest.mark.parametrize(
    ("reading", "words"),
    [
        ({"quality": "x" * 100_000}, "'good', 'uncertain' or 'bad'"),
        ({"at": "2026-11-21T09:00:00"}, "needs an offset"),
        ({"at": "2026-11-21T09:00:00Z", "timestamp": "2026-11-21T09:00:00Z"}, "not both"),
        ({"point": "p" * 501}, "at most 500 characters"),
        ({"ref": "a/b"}, "exactly one of point and ref"),
    ],
)
def test_a_reading_that_breaks_the_rules_is_refused_naming_it(reading, words):
    with pytest.raises(ValidationError) as caught:
        TelemetryPush.model_validate(body(**reading))
    assert caught.value.errors()[0]["loc"][:2] == ("readings", 0)
    assert words in str(caught.value)


def test_a_push_holds_at_most_max_readings():
    readings = [{"point": "p-1", "value": 1.0}] * (MAX_READINGS + 1)
    with pytest.raises(ValidationError, match=f"at most {MAX_READINGS} items"):
        TelemetryPush.model_validate({"source": "http", "readings": readings})
