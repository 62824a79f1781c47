"""`graphtwin snapshot` on a real Neo4j: a small campus with live values, a data source, drift
issues and an audit log, read back as one YAML or JSON document."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from graphtwin.audit import AuditLog, verify_audit_log
from graphtwin.store import TwinStore
from graphtwin.store.migrations import available_migrations
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

CAMPUS = """\
graphtwin: 1
source: campus
nodes:
  - id: site
    kind: Site
    uri: urn:example:site
    contains:
      - id: bldg-a
        kind: Building
        ifc_guid: 2O2Fr$t4X7Zf8NOew3FLOH
        contains:
          - id: room-1
            kind: Space
      - id: bldg-b
        kind: Building
  - id: ahu-1
    kind: Equipment
    brick_class: Air_Handling_Unit
    links: {LOCATED_IN: [room-1], HAS_POINT: [ahu-1.sat, ahu-1.oat]}
  - {id: ahu-1.sat, kind: Point, brick_class: Supply_Air_Temperature_Sensor,
     properties: {unit: degC, timeseries_id: ahu1/sat}}
  - {id: ahu-1.oat, kind: Point, properties: {unit: degC}}
  - {id: pump-9, kind: Equipment, links: {FEEDS: [ahu-1]}}
  - {id: loose-point, kind: Point}
"""

LEAVING = """\
graphtwin: 1
source: {source}
nodes:
  - {{id: {node}, kind: Equipment}}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(store: TwinStore, path: Path) -> None:
    store.load([IMPORTERS["twin"].parse(path)])


def iso(offset_s: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=offset_s)).isoformat()


@pytest.fixture
def campus(store: TwinStore, tmp_path: Path) -> Path:
    """The campus with live values, a data source, two drift issues (one resolved) and a
    retired node; returns its bindings file (whose audit log has three records)."""
    load(store, write(tmp_path / "campus.yaml", CAMPUS))
    load(store, write(tmp_path / "old.yaml", LEAVING.format(source="old", node="gone")))
    load(store, write(tmp_path / "old.yaml", LEAVING.format(source="old", node="kept")))
    store.write(
        "api/point_values_set",
        rows=[
            {"twin_id": "ahu-1.sat", "value": 21.5, "at": iso(), "quality": "good",
             "source": "plant-opc"},
            {"twin_id": "ahu-1.oat", "value": 4.0, "at": iso(-600), "quality": "good",
             "source": "plant-opc"},
        ],
    )  # fmt: skip
    store.write("telemetry/health_set", rows=[{"twin_id": "ahu-1.oat", "health": "stale"}])
    store.write(
        "telemetry/sources_upsert",
        rows=[
            {"source_id": "plant-opc", "type": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840/",
             "frequency_s": 1.0, "connected": True, "reliability": 0.98,
             "last_success_ms": int(datetime.now(UTC).timestamp() * 1000),
             "last_failure_ms": None, "last_failure_reason": None, "latency_ms_p50": 2.5,
             "received": 10, "accepted": 10, "rejected": 0, "bindings": 2},
        ],
    )  # fmt: skip
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    issue = {"type": "threshold", "severity": "warning", "description": "21.5 above 20",
             "status": "open", "strategy": "alert", "rule": "supply", "value": 21.5,
             "evidence": "{}"}  # fmt: skip
    store.write(
        "drift/issues_open",
        rows=[
            issue | {"issue_id": "drift:threshold:ahu-1.sat:1", "twin_id": "ahu-1.sat",
                     "at_ms": now_ms - 1000},
            issue | {"issue_id": "drift:staleness:pump-9:1", "twin_id": "pump-9",
                     "type": "staleness", "at_ms": now_ms - 500},
        ],
    )  # fmt: skip
    store.write(
        "drift/issues_update",
        rows=[{"issue_id": "drift:staleness:pump-9:1", "severity": None, "description": None,
               "value": None, "status": "resolved", "resolved_at_ms": now_ms}],
    )  # fmt: skip
    with AuditLog(tmp_path / "audit.jsonl", fsync=False) as log:
        log.append("sync_started", {"sources": ["plant-opc"]}, actor="sync")
        log.append("drift_opened", {"issue_id": "drift:threshold:ahu-1.sat:1"}, actor="sync")
        log.append("sync_stopped", {"written": 2}, actor="sync")
    return write(
        tmp_path / "bindings.yaml",
        """\
        graphtwin-bindings: 1
        audit_log: audit.jsonl
        sources:
          - {id: plant-opc, type: opcua, endpoint: "opc.tcp://127.0.0.1:4840/"}
        rules:
          supply:
            staleness_s: 300
            thresholds: {warning: {low: 10, high: 20}, hysteresis: 0.5}
            reconcile: alert
        bindings:
          - {source: plant-opc, node_id: "ns=2;s=SAT", point: {ref: ahu1/sat}, rule: supply}
          - {source: plant-opc, node_id: "ns=2;s=OAT", point: {twin_id: ahu-1.oat}, rule: supply}
        """,
    )


def test_a_json_snapshot_holds_the_twin_its_sync_drift_and_evidence(cli, campus: Path):
    result = cli("snapshot", "--format", "json", "--bindings", campus)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "digital_twin", "sync_configuration", "drift_detection", "current_drift",
        "reconciliation", "operations", "confidence", "evidence_anchors", "assumptions",
    ]  # fmt: skip

    twin = doc["digital_twin"]
    assert twin["id"] == "twin"
    assert twin["domain"] == "building"
    assert twin["created"] is not None
    latest = available_migrations()[-1]
    assert f"{latest.version:04d}_{latest.name}" in twin["schema_ref"]
    entities = {e["twin_id"]: e for e in twin["entities"]}
    assert "gone" not in entities  # retired when its source stopped asserting it
    assert {"site", "bldg-a", "room-1", "ahu-1", "ahu-1.sat", "kept"} <= set(entities)
    sat = entities["ahu-1.sat"]
    assert sat["physical_id"] == "ahu1/sat"
    assert sat["type"] == {"kind": "Point", "brick_class": "Supply_Air_Temperature_Sensor"}
    assert sat["dynamic_state"]["value"] == 21.5
    assert sat["dynamic_state"]["unit"] == "degC"
    assert sat["dynamic_state"]["quality"] == "good"
    assert sat["source_attribution"] == {"asserted_by": ["campus"], "value_source": "plant-opc"}
    assert sat["health"] == "ok"
    assert "value" not in sat["static_attributes"]
    assert sat["static_attributes"]["unit"] == "degC"
    assert sat["last_updated"] == sat["dynamic_state"]["timestamp"]  # newer than the import
    assert entities["site"]["physical_id"] == "urn:example:site"
    assert entities["ahu-1"]["dynamic_state"] is None
    assert {"from": "ahu-1", "type": "LOCATED_IN", "to": "room-1"} in twin["relationships"]
    assert {"from": "site", "type": "CONTAINS", "to": "bldg-a"} in twin["relationships"]
    assert twin["fidelity"]["value"] == pytest.approx(1 / 3, abs=1e-3)  # 1 of 3 points

    sync = doc["sync_configuration"]
    # the session's API server publishes its own `http` source meanwhile: find ours by id
    [source] = [s for s in sync["data_sources"] if s["id"] == "plant-opc"]
    assert source["reliability"] == 0.98
    assert source["last_success"] is not None
    assert sync["rules"]["supply"]["thresholds"]["warning"] == {"low": 10.0, "high": 20.0}
    assert doc["drift_detection"]["staleness_limit"] == {"supply": 300.0}
    checks = {c["check"]: c for c in doc["drift_detection"]["structural_checks"]}
    assert checks["points_without_equipment"]["examples"] == ["loose-point"]
    assert checks["equipment_without_location"]["examples"] == ["kept", "pump-9"]

    drift = doc["current_drift"]
    assert drift["entities_stale"] == {"count": 1, "ids": ["ahu-1.oat"]}
    assert drift["entities_drifted"] == {"count": 1, "ids": ["ahu-1.sat"]}  # pump-9's resolved
    [issue] = drift["issues"]
    assert issue["id"] == "drift:threshold:ahu-1.sat:1"
    assert issue["status"] == "open"
    assert drift["last_check"] is not None

    actions = doc["reconciliation"]["recent_actions"]
    assert [a["kind"] for a in actions] == ["sync_started", "drift_opened", "sync_stopped"]
    assert doc["reconciliation"]["strategy"] == {"supply": "alert"}
    assert doc["operations"]["query_enabled"] is True
    assert doc["operations"]["prediction_enabled"] is True

    assert 0 < doc["confidence"]["value"] < 1
    assert doc["confidence"]["inputs"]["points"] == 3
    anchors = [a["anchor"] for a in doc["evidence_anchors"]]
    [campus_source] = [a for a in anchors if a.get("source_id") == "campus"]
    assert len(campus_source["sha256"]) == 64
    [audit] = [a for a in anchors if a["type"] == "audit_log"]
    assert audit["head_hash"] == verify_audit_log(campus.parent / "audit.jsonl").head_hash
    assert audit["verified"] is True
    assert any(a["type"] == "data_source" for a in anchors)


def test_a_yaml_snapshot_of_a_subtree_keeps_to_the_subtree(cli, campus: Path, tmp_path: Path):
    output = tmp_path / "snapshot.yaml"
    result = cli("snapshot", "--format", "yaml", "--root", "bldg-a", "--output", output)
    assert result.returncode == 0, result.stderr
    doc = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert doc["digital_twin"]["id"] == "bldg-a"
    ids = {e["twin_id"] for e in doc["digital_twin"]["entities"]}
    assert ids == {"bldg-a", "room-1", "ahu-1", "ahu-1.sat", "ahu-1.oat"}
    for rel in doc["digital_twin"]["relationships"]:
        assert rel["from"] in ids and rel["to"] in ids  # pump-9 FEEDS ahu-1 is outside
    assert doc["sync_configuration"]["rules"] == {}
    assert any("no bindings file given" in a for a in doc["assumptions"])
    assert doc["current_drift"]["entities_drifted"]["ids"] == ["ahu-1.sat"]


def test_an_unknown_root_is_an_error_naming_it(cli, store: TwinStore):
    result = cli("snapshot", "--root", "no-such-node")
    assert result.returncode == 2
    assert "no-such-node" in result.stderr
    assert result.stdout == ""


def test_an_empty_twin_still_has_every_section(cli, store: TwinStore):
    result = cli("snapshot", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["digital_twin"]["entities"] == []
    assert doc["confidence"]["value"] == 0.0
