"""Telemetry through the API: `POST /telemetry` and `recordPointValues` (operator role) into the
same pipeline, and the values, history and drift issues back out of GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log, verify_audit_log
from tests.support.api_server import ApiServer
from tests.support.telemetry_twin import load_plant

pytestmark = pytest.mark.neo4j


def post(api: ApiServer, body: object, role: Role = Role.OPERATOR, wait: bool = True):
    return httpx.post(
        f"{api.url}/telemetry",
        params={"wait": "true"} if wait else {},
        json=body,
        headers={"Authorization": f"Bearer {api.keys[role]}"},
        timeout=30,
    )


def now(offset_s: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_s)).isoformat()


@pytest.fixture
def plant(api: ApiServer, store, tmp_path: Path) -> ApiServer:
    load_plant(store, tmp_path)
    return api


def test_an_operator_pushes_values_that_graphql_shows_with_their_history(plant: ApiServer):
    first = post(plant, {"source": "http", "readings": [
        {"ref": "ahu1/sat", "value": 14.0, "at": now(-2)},
        {"point": "ahu-1.oat", "value": 6.5, "at": now(-2)},
    ]})  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 2
    assert post(plant, {"source": "http", "readings": [
        {"ref": "ahu1/sat", "value": 14.5, "at": now(-1)}]}).json()["written"]  # fmt: skip
    data = plant.data(
        '{ node(twinId: "ahu-1.sat") { current { value source quality health } '
        "history { value source } } }"
    )
    node = data["node"]
    assert node["current"] == {"value": 14.5, "source": "http", "quality": "good", "health": "ok"}
    assert [h["value"] for h in node["history"]][-2:] == [14.0, 14.5]


def test_bad_readings_are_refused_with_their_reasons_and_nothing_else_is_lost(plant: ApiServer):
    response = post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 7.0, "at": now(-1)},
        {"point": "ahu-1.oat", "value": "warm", "at": now()},
        {"point": "no-such-point", "value": 1.0},
        {"point": "ahu-1.fan", "value": 1, "at": now(3600)},
    ]})  # fmt: skip
    body = response.json()
    assert body["accepted"] == 1
    assert body["rejected"] == {"wrong_type": 1, "unknown_point": 1, "future_timestamp": 1}
    assert [r["index"] for r in body["rejections"]] == [1, 2, 3]
    current = plant.data('{ node(twinId: "ahu-1.fan") { current { value } } }')
    assert current["node"]["current"]["value"] is None


def test_a_malformed_push_is_a_422_naming_the_reading_and_a_viewer_gets_403(plant: ApiServer):
    malformed = post(plant, {"source": "http", "readings": [{"value": 1.0}]})
    assert malformed.status_code == 422
    assert malformed.json()["problems"][0]["at"].startswith("readings.0")
    unknown_source = post(plant, {"source": "nope", "readings": [{"point": "x", "value": 1}]})
    assert unknown_source.status_code == 404
    viewer = post(plant, {"source": "http", "readings": [{"point": "ahu-1.oat", "value": 1}]},
                  role=Role.VIEWER)  # fmt: skip
    assert viewer.status_code == 403
    unauthenticated = httpx.post(f"{plant.url}/telemetry", json={}, timeout=10)
    assert unauthenticated.status_code == 401


def test_every_push_is_in_the_hash_chained_audit_log_with_its_caller_and_points(
    plant: ApiServer,
):
    post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 8.0, "at": now(-2)},
        {"ref": "ahu1/sat", "value": 14.0, "at": now(-2)},
        {"point": "ahu-1.oat", "value": 8.5, "at": now(-1)},
        {"point": "no-such-point", "value": 1.0},
    ]})  # fmt: skip
    log = Path(plant.telemetry_dir) / "audit.jsonl"
    assert verify_audit_log(log).ok
    pushes = [r for r in read_audit_log(log) if r.kind == "telemetry_push"]
    assert pushes[-1].actor.endswith(":test-operator")
    assert pushes[-1].payload["points"] == ["ahu-1.oat", "ahu-1.sat"]
    assert pushes[-1].payload["accepted"] == 3
    assert len(pushes[-1].payload["values_sha256"]) == 64
    assert any(r.kind == "sync_batch" for r in read_audit_log(log))


def test_the_old_name_timestamp_still_works_and_the_answer_says_it_is_deprecated(
    plant: ApiServer,
):
    old = post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 9.0, "timestamp": now(-1)}]})  # fmt: skip
    assert old.status_code == 200 and old.json()["accepted"] == 1
    assert old.headers["Deprecation"] == "true"
    assert (
        old.headers["Warning"].startswith("299 ")
        and "timestamp is now at" in old.headers["Warning"]
    )
    new = post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 9.5, "at": now()}]})  # fmt: skip
    assert new.status_code == 200 and "Deprecation" not in new.headers
    both = post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 9.5, "at": now(), "timestamp": now()}]})  # fmt: skip
    assert both.status_code == 422


RECORD = """mutation($values: [PointValueInput!]!) {
  recordPointValues(values: $values) { applied backfilled unchanged written } }"""


def test_record_point_values_goes_through_the_pipeline_into_history_and_audit(
    plant: ApiServer,
):
    # Hours back: the session's server keeps the history of earlier tests' recent values.
    values = [
        {"twinId": "ahu-1.oat", "value": 5.0, "at": now(-7200)},
        {"twinId": "ahu-1.oat", "value": 6.0, "at": now(-3600)},
        {"twinId": "ahu-1.oat", "value": 4.0, "at": now(-10800)},  # a late one: backfilled
    ]
    recorded = plant.data(RECORD, role=Role.OPERATOR, variables={"values": values})
    assert recorded["recordPointValues"] == {
        "applied": 2, "backfilled": 1, "unchanged": 0, "written": True,
    }  # fmt: skip
    node = plant.data(
        'query($start: DateTime, $end: DateTime) { node(twinId: "ahu-1.oat") { '
        "current { value source } history(start: $start, end: $end) { value } } }",
        variables={"start": now(-11000), "end": now(-3000)},
    )["node"]
    assert node["current"] == {"value": 6.0, "source": "http"}
    assert [h["value"] for h in node["history"]] == [4.0, 5.0, 6.0]
    log = Path(plant.telemetry_dir) / "audit.jsonl"
    record = [r for r in read_audit_log(log) if r.kind == "telemetry_push"][-1]
    assert record.actor.endswith(":test-operator")
    assert record.payload["points"] == ["ahu-1.oat"]
    assert (record.payload["current"], record.payload["backfilled"]) == (2, 1)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ([{"twinId": "ahu-1.oat", "value": 7.0},
          {"twinId": "ahu-1.fan", "value": 1.0, "at": "9999-01-01T00:00:00Z"}],
         "values[1] (ahu-1.fan): future_timestamp"),
        ([{"twinId": "ahu-1.fan", "value": 1.0, "quality": "x" * 100_000}], "values[0].quality"),
        ([{"twinId": "ahu-1.fan", "value": 1.0, "at": "2026-11-21T09:00:00"}], "offset"),
        ([{"twinId": "no-such-point", "value": 1.0}], "values[0] (no-such-point): unknown_point"),
        ([{"twinId": "ahu-1.fan", "value": 1.0}] * 10_001, "at most 10000"),
    ],
)  # fmt: skip
def test_record_point_values_refuses_bad_values_naming_them_and_records_nothing(
    plant: ApiServer, values, words
):
    response = plant.post(RECORD, role=Role.OPERATOR, variables={"values": values})
    errors = response.json()["errors"]
    assert words in errors[0]["message"], errors
    current = plant.data(
        '{ fan: node(twinId: "ahu-1.fan") { current { value } } '
        'oat: node(twinId: "ahu-1.oat") { current { value } } }'
    )
    assert current["fan"]["current"]["value"] is None
    assert current["oat"]["current"]["value"] is None
