"""The snapshot document from hand-made rows: every section, the drift counts, the confidence
math and what the snapshot says it could not know."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from graphtwin.audit import AuditLog, read_audit_log, verify_audit_log
from graphtwin.cli.snapshot_cmd import SnapshotFormat, render
from graphtwin.snapshot import AuditState, SnapshotInputs, build_snapshot
from graphtwin.snapshot.twin_section import domain, latest, parse_time
from graphtwin.telemetry.bindings import BindingsFile

SECTIONS = [
    "digital_twin",
    "sync_configuration",
    "drift_detection",
    "current_drift",
    "reconciliation",
    "operations",
    "confidence",
    "evidence_anchors",
    "assumptions",
]


def node(twin_id, kind, sources=("plant",), last_updated="2025-01-01T00:00:00Z", **props):
    return {
        "twin_id": twin_id,
        "kind": kind,
        "props": {"twin_id": twin_id, "kind": kind, "name": twin_id.upper(), **props},
        "sources": list(sources),
        "last_updated": last_updated,
    }


def point(twin_id, health=None, value=None, at=None, **props):
    live = {"value": value, "value_at": at, "value_quality": "good" if at else None}
    live |= {"value_source": "opc" if at else None, "health": health}
    return node(twin_id, "Point", unit="degC", **live, **props)


ENTITIES = [
    node("site", "Site", uri="urn:example:site"),
    node("bldg", "Building", ifc_guid="2O2Fr$t4X7Zf8NOew3FLOH"),
    node("ahu", "Equipment", sources=(), brick_class="Air_Handling_Unit"),
    point("ahu.sat", "ok", 14.5, "2025-03-14T09:30:00.123456789Z", timeseries_id="ahu/sat"),
    point("ahu.oat", "stale", 6.0, "2025-03-14T09:00:00Z"),
    point("ahu.fan"),
]

ISSUE = {
    "issue_id": "drift:threshold:ahu.sat:1",
    "type": "threshold",
    "severity": "warning",
    "description": "above 20",
    "status": "open",
    "strategy": "alert",
    "rule": "supply",
    "twin_id": "ahu.sat",
    "detected_at": "2025-03-14T09:31:00Z",
}

BINDINGS = BindingsFile.model_validate(
    {
        "graphtwin-bindings": 1,
        "sources": [
            {"id": "opc", "type": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840/"},
            {"id": "push", "type": "http"},
        ],
        "rules": {
            "supply": {
                "period_s": 2,
                "deadband": 0.1,
                "staleness_s": 300,
                "thresholds": {"warning": {"low": 10, "high": 20}, "hysteresis": 0.5},
                "reconcile": "investigate",
            }
        },
        "bindings": [
            {"source": "opc", "node_id": "ns=2;s=SAT", "point": {"twin_id": "ahu.sat"},
             "rule": "supply"},
            {"source": "push", "point": {"twin_id": "ahu.fan"}},
        ],
    }
)  # fmt: skip


def inputs(**changes) -> SnapshotInputs:
    base = {
        "taken_at": "2025-03-14T10:00:00.000000Z",
        "entities": ENTITIES,
        "relationships": [{"start_id": "ahu", "type": "HAS_POINT", "end_id": "ahu.sat"}],
        "sources": [
            {"source_id": "plant", "format": "twin", "file_name": "plant.yaml", "sha256": "ab" * 32,
             "imported_at": "2025-02-01T00:00:00Z", "first_imported_at": "2025-01-01T00:00:00Z",
             "entities": 5},
            {"source_id": "bim", "format": "ifc", "file_name": "b.ifc", "sha256": "cd" * 32,
             "imported_at": "2024-12-24T08:00:00+01:00",
             "first_imported_at": "2024-12-24T08:00:00+01:00", "entities": 1},
        ],
        "data_sources": [
            {"source_id": "opc", "type": "opcua", "endpoint": "opc.tcp://127.0.0.1:4840/",
             "frequency_s": 2.0, "latency_ms_p50": 3.5, "reliability": 0.99, "connected": True,
             "last_success": "2025-03-14T09:59:00Z", "last_failure": None,
             "updated_at": "2025-03-14T09:59:30Z"},
        ],
        "unresolved_issues": [ISSUE],
        "last_issue_at": "2025-03-14T09:31:00Z",
        "structural_checks": [
            {"check": "points_without_equipment", "count": 2, "examples": ["ahu.fan", "ahu.oat"]},
            {"check": "equipment_without_location", "count": 1, "examples": ["ahu"]},
        ],
        "migrations": [{"version": 1, "name": "core_schema"},
                       {"version": 6, "name": "telemetry_and_drift"}],
    }  # fmt: skip
    return SnapshotInputs(**(base | changes))


def test_every_section_is_there_in_order_and_the_twin_is_described():
    doc = build_snapshot(inputs())
    assert list(doc) == SECTIONS
    twin = doc["digital_twin"]
    assert twin["id"] == "twin"
    assert twin["domain"] == "building"
    assert twin["created"] == "2024-12-24T08:00:00+01:00"  # earliest first import, by time
    assert twin["last_sync"] == "2025-03-14T09:59:30Z"  # data source newer than any value
    assert twin["schema_ref"].endswith("2 migrations applied, latest 0006_telemetry_and_drift")
    assert twin["relationships"] == [{"from": "ahu", "type": "HAS_POINT", "to": "ahu.sat"}]
    assert twin["fidelity"] == {
        "value": 0.333,
        "label": "low",
        "basis": "1 of 3 points have a current value with health ok",
    }


def test_entities_split_identity_static_attributes_and_live_state():
    by_id = {e["twin_id"]: e for e in build_snapshot(inputs())["digital_twin"]["entities"]}
    sat = by_id["ahu.sat"]
    assert sat["physical_id"] == "ahu/sat"
    assert sat["type"] == {"kind": "Point", "brick_class": None}
    assert sat["static_attributes"] == {
        "name": "AHU.SAT",
        "timeseries_id": "ahu/sat",
        "unit": "degC",
    }
    assert sat["dynamic_state"] == {
        "value": 14.5, "unit": "degC", "quality": "good",
        "timestamp": "2025-03-14T09:30:00.123456789Z",
    }  # fmt: skip
    assert sat["source_attribution"] == {"asserted_by": ["plant"], "value_source": "opc"}
    assert sat["health"] == "ok"
    assert by_id["site"]["physical_id"] == "urn:example:site"
    assert by_id["bldg"]["physical_id"] == "2O2Fr$t4X7Zf8NOew3FLOH"
    ahu = by_id["ahu"]
    assert ahu["physical_id"] is None
    assert ahu["dynamic_state"] is None
    assert ahu["type"] == {"kind": "Equipment", "brick_class": "Air_Handling_Unit"}
    assert ahu["source_attribution"]["asserted_by"] == []
    assert by_id["ahu.fan"]["dynamic_state"]["value"] is None


def test_stale_and_drifted_entities_are_counted_with_their_ids():
    second = ISSUE | {"issue_id": "drift:staleness:ahu.oat:2", "type": "staleness",
                      "twin_id": "ahu.oat", "status": "investigating"}  # fmt: skip
    drift = build_snapshot(inputs(unresolved_issues=[ISSUE, second]))["current_drift"]
    assert drift["entities_stale"] == {"count": 1, "ids": ["ahu.oat"]}
    assert drift["entities_drifted"] == {"count": 2, "ids": ["ahu.oat", "ahu.sat"]}
    assert drift["last_check"] == "2025-03-14T09:59:30Z"
    assert [i["id"] for i in drift["issues"]] == [ISSUE["issue_id"], second["issue_id"]]
    assert drift["issues"][0] == {
        "id": ISSUE["issue_id"], "type": "threshold", "severity": "warning",
        "description": "above 20", "twin_id": "ahu.sat", "detected_at": "2025-03-14T09:31:00Z",
        "status": "open", "rule": "supply",
    }  # fmt: skip


def test_confidence_is_the_mean_of_provenance_live_state_and_drift_shares():
    confidence = build_snapshot(inputs())["confidence"]
    assert confidence["inputs"] == {
        "entities": 6, "entities_with_source": 5, "points": 3, "points_healthy": 1,
        "entities_drifted": 1,
    }  # fmt: skip
    assert confidence["components"] == {
        "source_coverage": round(5 / 6, 3), "drift_free": round(5 / 6, 3),
        "point_health": round(1 / 3, 3),
    }  # fmt: skip
    assert confidence["value"] == pytest.approx((5 / 6 + 5 / 6 + 1 / 3) / 3, abs=1e-3)
    assert "mean" in confidence["method"]


def test_an_empty_twin_has_zero_confidence_and_says_what_it_does_not_know():
    doc = build_snapshot(SnapshotInputs(taken_at="2025-03-14T10:00:00Z"))
    assert list(doc) == SECTIONS
    assert doc["confidence"]["value"] == 0.0
    assert doc["digital_twin"]["domain"] == "unknown"
    assert doc["digital_twin"]["fidelity"]["label"] == "unknown"
    assert doc["digital_twin"]["created"] is None
    assert doc["sync_configuration"] == {"data_sources": [], "rules": {}}
    assert doc["reconciliation"] == {"strategy": {}, "recent_actions": []}
    text = "\n".join(doc["assumptions"])
    assert "no bindings file given" in text
    assert "domain unknown" in text
    assert "no data source has reported" in text
    assert doc["operations"] == {
        "query_enabled": True, "simulation_enabled": True,
        "calibration": {"zones": 0, "calibrated": 0, "from_priors": 0, "without_model": 0,
                        "stale": 0, "oldest_fit": None},
        "simulation_runs": {"recorded": 0, "last_run_at": None},
        "prediction_enabled": True, "last_query": None,
    }  # fmt: skip


def test_operations_report_the_calibration_state_and_flag_zones_without_a_model():
    state = {
        "zones": 15,
        "models": 12,
        "calibrated": 10,
        "from_priors": 2,
        "stale": 3,
        "oldest_fit": "2025-07-01T00:00Z",
        "runs": 4,
        "last_run_at": "2025-07-23T16:31Z",
    }
    doc = build_snapshot(SnapshotInputs(taken_at="2025-07-23T17:00:00Z", calibration=state))
    operations = doc["operations"]
    assert operations["simulation_enabled"] is True
    assert operations["calibration"] == {
        "zones": 15,
        "calibrated": 10,
        "from_priors": 2,
        "without_model": 3,
        "stale": 3,
        "oldest_fit": "2025-07-01T00:00Z",
    }
    assert operations["simulation_runs"] == {"recorded": 4, "last_run_at": "2025-07-23T16:31Z"}
    assert any("3 of 15 zone(s) have no thermal model" in a for a in doc["assumptions"])


def test_the_bindings_file_gives_rules_thresholds_staleness_and_strategies():
    doc = build_snapshot(inputs(bindings=BINDINGS, bindings_path=Path("bindings.yaml")))
    rules = doc["sync_configuration"]["rules"]
    assert rules["supply"] == {
        "mode": "subscribe", "period_s": 2.0, "deadband": 0.1, "staleness_s": 300.0,
        "thresholds": {"warning": {"low": 10.0, "high": 20.0}, "hysteresis": 0.5},
        "reconcile": "investigate",
    }  # fmt: skip
    assert rules["default"]["reconcile"] == "alert"  # the fan binding runs under it, undeclared
    drift = doc["drift_detection"]
    assert drift["thresholds"] == {"supply": rules["supply"]["thresholds"], "default": None}
    assert drift["staleness_limit"] == {"supply": 300.0, "default": None}
    assert drift["structural_checks"][0]["check"] == "points_without_equipment"
    assert drift["structural_checks"][0]["count"] == 2
    assert doc["reconciliation"]["strategy"] == {"supply": "investigate", "default": "alert"}
    sources = {s["id"]: s for s in doc["sync_configuration"]["data_sources"]}
    assert sources["opc"]["reliability"] == 0.99
    assert sources["push"] == {  # declared, never reported: configuration only
        "id": "push", "type": "http", "endpoint": "POST /telemetry", "frequency_s": 1.0,
        "latency_ms_p50": None, "reliability": None, "last_success": None,
        "last_failure": None, "connected": None, "updated_at": None,
    }  # fmt: skip
    assert any("push is declared" in a for a in doc["assumptions"])


def test_recent_actions_and_the_audit_anchor_come_from_the_verified_log(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, fsync=False) as log:
        for i in range(25):
            log.append("drift_opened", {"issue_id": f"i{i}", "twin_id": "ahu.sat"}, actor="sync")
    checked = verify_audit_log(path)
    audit = AuditState(path, True, checked, read_audit_log(path, tail=20))
    doc = build_snapshot(inputs(bindings=BINDINGS, audit=audit))
    actions = doc["reconciliation"]["recent_actions"]
    assert [a["seq"] for a in actions] == list(range(6, 26))
    assert actions[-1]["summary"] == "issue_id=i24, twin_id=ahu.sat"
    assert actions[-1]["kind"] == "drift_opened"
    [anchor] = [a for a in doc["evidence_anchors"] if a["anchor"]["type"] == "audit_log"]
    assert anchor["anchor"]["head_hash"] == checked.head_hash
    assert anchor["anchor"]["verified"] is True
    assert "25 records" in anchor["claim"]


def test_evidence_anchors_name_sources_schema_and_data_sources():
    anchors = [a["anchor"] for a in build_snapshot(inputs())["evidence_anchors"]]
    assert {"type": "source", "source_id": "plant", "file_name": "plant.yaml",
            "sha256": "ab" * 32} in anchors  # fmt: skip
    assert {"type": "schema_migration", "version": 6} in anchors
    assert any(a["type"] == "data_source" and a["source_id"] == "opc" for a in anchors)


def test_a_missing_audit_log_is_an_assumption_not_an_error():
    audit = AuditState(Path("var/audit.jsonl"), exists=False)
    doc = build_snapshot(inputs(bindings=BINDINGS, audit=audit))
    assert doc["reconciliation"]["recent_actions"] == []
    assert any("does not exist yet" in a for a in doc["assumptions"])


def test_a_root_names_the_twin_and_the_scope():
    doc = build_snapshot(inputs(root="bldg"))
    assert doc["digital_twin"]["id"] == "bldg"
    assert any(a.startswith("scope: the subtree of bldg") for a in doc["assumptions"])


@pytest.mark.parametrize(
    ("kinds_and_levels", "expected"),
    [
        ([("Building", None)], "building"),
        ([("Site", "Site"), ("Equipment", "WorkCenter")], "industrial"),
        ([("Space", None), ("Equipment", "WorkUnit")], "mixed"),
        ([("Equipment", None), ("Point", None)], None),
    ],
)
def test_the_domain_follows_the_kinds_and_isa95_levels(kinds_and_levels, expected):
    rows = [
        node(f"n{i}", kind, isa95_level=level) for i, (kind, level) in enumerate(kinds_and_levels)
    ]
    assert domain(rows) == expected


def test_times_compare_as_times_not_as_text():
    assert latest(["2025-03-14T09:30:00.5Z", "2025-03-14T09:30:00Z", None]) == (
        "2025-03-14T09:30:00.5Z"
    )
    assert latest(["2025-03-14T10:00:00+02:00", "2025-03-14T09:00:00Z"]) == "2025-03-14T09:00:00Z"
    assert parse_time("2025-03-14T09:30:00+01:00[Europe/Berlin]") is not None
    assert parse_time("not a time") is None


def test_the_document_renders_as_yaml_and_json_with_sections_in_order():
    doc = build_snapshot(inputs(bindings=BINDINGS))
    assert list(yaml.safe_load(render(doc, SnapshotFormat.YAML))) == SECTIONS
    assert json.loads(render(doc, SnapshotFormat.JSON)) == doc
