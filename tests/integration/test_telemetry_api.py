"""Telemetry through the API: `POST /telemetry` (operator role) into the pipeline, and the
values, history and drift issues back out of GraphQL."""

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
        {"ref": "ahu1/sat", "value": 14.0, "timestamp": now(-2)},
        {"point": "ahu-1.oat", "value": 6.5, "timestamp": now(-2)},
    ]})  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 2
    assert post(plant, {"source": "http", "readings": [
        {"ref": "ahu1/sat", "value": 14.5, "timestamp": now(-1)}]}).json()["written"]  # fmt: skip
    data = plant.data(
        '{ node(twinId: "ahu-1.sat") { current { value source quality health } '
        "history { value source } } }"
    )
    node = data["node"]
    assert node["current"] == {"value": 14.5, "source": "http", "quality": "good", "health": "ok"}
    assert [h["value"] for h in node["history"]][-2:] == [14.0, 14.5]


def test_bad_readings_are_refused_with_their_reasons_and_nothing_else_is_lost(plant: ApiServer):
    response = post(plant, {"source": "http", "readings": [
        {"point": "ahu-1.oat", "value": 7.0, "timestamp": now(-1)},
        {"point": "ahu-1.oat", "value": "warm", "timestamp": now()},
        {"point": "no-such-point", "value": 1.0},
        {"point": "ahu-1.fan", "value": 1, "timestamp": now(3600)},
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


def test_every_push_is_in_the_hash_chained_audit_log_with_its_caller(plant: ApiServer):
    post(plant, {"source": "http", "readings": [{"point": "ahu-1.oat", "value": 8.0}]})
    log = Path(plant.telemetry_dir) / "audit.jsonl"
    assert verify_audit_log(log).ok
    pushes = [r for r in read_audit_log(log) if r.kind == "telemetry_push"]
    assert pushes[-1].actor.endswith(":test-operator")
    assert any(r.kind == "sync_batch" for r in read_audit_log(log))
