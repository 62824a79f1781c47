"""Build the snapshot document from what was read: a pure function, so every section can be
tested on hand-made rows and the reads stay in one place (reader.py).

The document has exactly these top-level sections, in this order: digital_twin,
sync_configuration, drift_detection, current_drift, reconciliation, operations, confidence,
evidence_anchors, assumptions (docs/snapshot.md says what each holds and where it comes from).
"""

from __future__ import annotations

import json
from statistics import fmean
from typing import Any

import graphtwin
from graphtwin.audit import AuditVerification
from graphtwin.snapshot.inputs import RECENT_ACTIONS, AuditState, Row, SnapshotInputs
from graphtwin.snapshot.twin_section import (
    domain,
    earliest,
    entity,
    fidelity,
    is_healthy_point,
    is_point,
    latest,
)
from graphtwin.telemetry.bindings import BindingsFile, SyncRule

_SUMMARY_CHARS = 80
_STRUCTURAL_CHECKS = {
    "points_without_equipment": "points that no entity has (no HAS_POINT to them)",
    "equipment_without_location": (
        "equipment not LOCATED_IN anything, and neither contained in nor part of anything"
    ),
}


def build_snapshot(inputs: SnapshotInputs) -> dict[str, Any]:
    """The twin's state as one document (plain dicts, lists and scalars: YAML or JSON)."""
    assumptions: list[str] = []
    drifted = sorted({issue["twin_id"] for issue in inputs.unresolved_issues})
    document = {
        "digital_twin": _digital_twin(inputs, assumptions),
        "sync_configuration": _sync_configuration(inputs, assumptions),
        "drift_detection": _drift_detection(inputs),
        "current_drift": _current_drift(inputs, drifted),
        "reconciliation": _reconciliation(inputs, assumptions),
        "operations": _operations(inputs, assumptions),
        "confidence": confidence(inputs.entities, drifted),
        "evidence_anchors": _evidence_anchors(inputs),
        "assumptions": assumptions,
    }
    assumptions.extend(_fixed_assumptions(inputs))
    return document


# --- digital_twin -------------------------------------------------------------------------------


def _digital_twin(inputs: SnapshotInputs, assumptions: list[str]) -> dict[str, Any]:
    found = domain(inputs.entities)
    if found is None:
        assumptions.append(
            "domain unknown: no spatial entity (Site, Building, Floor, Space) and no ISA-95 "
            "level or id in the twin"
        )
    created = earliest(s.get("first_imported_at") for s in inputs.sources)
    if created is None:
        assumptions.append("created unknown: no import source asserts the entities")
    return {
        "id": inputs.root or (f"source:{inputs.source}" if inputs.source else "twin"),
        "domain": found or "unknown",
        "snapshot_at": inputs.taken_at,
        "created": created,
        "last_sync": latest(
            [row["props"].get("value_at") for row in inputs.entities]
            + [d.get("updated_at") for d in inputs.data_sources]
        ),
        "fidelity": fidelity(inputs.entities),
        "schema_ref": schema_ref(inputs.migrations),
        "entities": [entity(row) for row in inputs.entities],
        "relationships": [
            {"from": r["start_id"], "type": r["type"], "to": r["end_id"]}
            for r in inputs.relationships
        ],
    }


def schema_ref(migrations: list[Row]) -> str:
    contract = f"graphtwin {graphtwin.__version__} graph contract (docs/graph-model.md)"
    if not migrations:
        return f"{contract}, no migrations applied"
    last = max(migrations, key=lambda m: m["version"])
    return (
        f"{contract}, {len(migrations)} migrations applied, latest "
        f"{last['version']:04d}_{last['name']}"
    )


# --- operations ---------------------------------------------------------------------------------


def _operations(inputs: SnapshotInputs, assumptions: list[str]) -> dict[str, Any]:
    """What graphtwin offers on this twin; for what-if simulation, how calibrated its zone
    models are and the runs recorded (docs/simulation.md)."""
    state = inputs.calibration or {}
    zones = int(state.get("zones") or 0)
    models = int(state.get("models") or 0)
    if zones > models:
        assumptions.append(
            f"{zones - models} of {zones} zone(s) have no thermal model yet "
            "(`graphtwin calibrate` fits them): a what-if run simulates them from geometry "
            "priors, flagged, with a wide band"
        )
    return {
        "query_enabled": True,
        "simulation_enabled": True,
        "calibration": {
            "zones": zones,
            "calibrated": int(state.get("calibrated") or 0),
            "from_priors": int(state.get("from_priors") or 0),
            "without_model": max(zones - models, 0),
            "stale": int(state.get("stale") or 0),
            "oldest_fit": state.get("oldest_fit"),
        },
        "simulation_runs": {
            "recorded": int(state.get("runs") or 0),
            "last_run_at": state.get("last_run_at"),
        },
        "prediction_enabled": True,
        "last_query": None,
    }


# --- sync_configuration -------------------------------------------------------------------------


def _sync_configuration(inputs: SnapshotInputs, assumptions: list[str]) -> dict[str, Any]:
    sources = [_data_source(d) for d in inputs.data_sources]
    if not sources:
        assumptions.append(
            "no data source has reported to the twin (no (:DataSource) nodes: `graphtwin sync` "
            "has not run against it)"
        )
    if inputs.bindings is None:
        assumptions.append(
            "no bindings file given (--bindings): sync rules, thresholds, staleness limits, "
            "reconcile strategies and the audit log are unknown"
        )
        return {"data_sources": sources, "rules": {}}
    seen = {s["id"] for s in sources}
    for declared in inputs.bindings.sources:
        if declared.id not in seen:
            sources.append(_declared_source(inputs.bindings, declared.id))
            assumptions.append(
                f"data source {declared.id} is declared in the bindings file but no sync has "
                "reported its health yet"
            )
    return {"data_sources": sources, "rules": _rules(inputs.bindings, assumptions)}


def _data_source(row: Row) -> dict[str, Any]:
    return {
        "id": row.get("source_id"),
        "type": row.get("type"),
        "endpoint": row.get("endpoint"),
        "frequency_s": row.get("frequency_s"),
        "latency_ms_p50": row.get("latency_ms_p50"),
        "reliability": row.get("reliability"),
        "last_success": row.get("last_success"),
        "last_failure": row.get("last_failure"),
        "connected": row.get("connected"),
        "updated_at": row.get("updated_at"),
    }


def _declared_source(bindings: BindingsFile, source_id: str) -> dict[str, Any]:
    source = bindings.source(source_id)
    periods = [bindings.rule_of(b).period_s for b in bindings.bindings_of(source_id)]
    return _data_source(
        {
            "source_id": source.id,
            "type": source.type,
            "endpoint": source.endpoint,
            "frequency_s": min(periods) if periods else None,
        }
    )


def effective_rules(bindings: BindingsFile) -> dict[str, SyncRule]:
    """The declared rules, and `default` with its built-in settings when bindings use it
    without the file declaring it (that is the rule they run under)."""
    rules = dict(bindings.rules)
    if "default" not in rules and any(b.rule not in rules for b in bindings.bindings):
        rules["default"] = SyncRule()
    return rules


def _rules(bindings: BindingsFile, assumptions: list[str]) -> dict[str, Any]:
    if "default" not in bindings.rules and "default" in effective_rules(bindings):
        assumptions.append(
            "rule default is not declared in the bindings file: bindings without a rule run "
            "under its built-in settings, shown here"
        )
    return {
        name: {
            "mode": rule.mode,
            "period_s": rule.period_s,
            "deadband": rule.deadband,
            "staleness_s": rule.staleness_s,
            "thresholds": _thresholds(rule),
            "reconcile": rule.reconcile,
        }
        for name, rule in effective_rules(bindings).items()
    }


def _thresholds(rule: SyncRule) -> dict[str, Any] | None:
    return rule.thresholds.model_dump(mode="json", exclude_none=True) if rule.thresholds else None


# --- drift --------------------------------------------------------------------------------------


def _drift_detection(inputs: SnapshotInputs) -> dict[str, Any]:
    rules = effective_rules(inputs.bindings) if inputs.bindings else {}
    return {
        "thresholds": {name: _thresholds(rule) for name, rule in rules.items()},
        "staleness_limit": {name: rule.staleness_s for name, rule in rules.items()},
        "structural_checks": [
            {
                "check": c["check"],
                "description": _STRUCTURAL_CHECKS.get(c["check"], c["check"]),
                "count": c["count"],
                "examples": c["examples"],
            }
            for c in inputs.structural_checks
        ],
    }


def _current_drift(inputs: SnapshotInputs, drifted: list[str]) -> dict[str, Any]:
    stale = [row["twin_id"] for row in inputs.entities if row["props"].get("health") == "stale"]
    return {
        "entities_stale": {"count": len(stale), "ids": stale},
        "entities_drifted": {"count": len(drifted), "ids": drifted},
        "last_check": latest(
            [inputs.last_issue_at] + [d.get("updated_at") for d in inputs.data_sources]
        ),
        "issues": [
            {
                "id": i["issue_id"],
                "type": i.get("type"),
                "severity": i.get("severity"),
                "description": i.get("description"),
                "twin_id": i["twin_id"],
                "detected_at": i.get("detected_at"),
                "status": i.get("status"),
                "rule": i.get("rule"),
            }
            for i in inputs.unresolved_issues
        ],
    }


# --- reconciliation -----------------------------------------------------------------------------


def _reconciliation(inputs: SnapshotInputs, assumptions: list[str]) -> dict[str, Any]:
    rules = effective_rules(inputs.bindings) if inputs.bindings else {}
    audit = inputs.audit
    if audit is not None and not audit.exists:
        assumptions.append(f"the audit log {audit.path} does not exist yet: no actions recorded")
    elif audit is not None and audit.problem:
        assumptions.append(f"the audit log could not be read: {audit.problem}")
    records = audit.records[-RECENT_ACTIONS:] if audit else []
    return {
        "strategy": {name: rule.reconcile for name, rule in rules.items()},
        "recent_actions": [
            {
                "seq": r.seq,
                "at": r.at,
                "kind": r.kind,
                "actor": r.actor,
                "summary": summarise(r.payload),
            }
            for r in records
        ],
    }


def summarise(payload: dict[str, Any]) -> str:
    """key=value pairs on one line, cut short: enough to tell actions apart."""
    text = ", ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value, separators=(',', ':'))}"
        for key, value in payload.items()
    )
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"


# --- confidence ---------------------------------------------------------------------------------


def confidence(entities: list[Row], drifted: list[str]) -> dict[str, Any]:
    """How far to trust the snapshot: the mean of the shares that apply: entities some source
    defines (provenance), points with a current healthy value (live state), entities without
    an unresolved drift issue (agreement with reality)."""
    points = [row for row in entities if is_point(row)]
    inputs = {
        "entities": len(entities),
        "entities_with_source": sum(bool(row.get("sources")) for row in entities),
        "points": len(points),
        "points_healthy": sum(is_healthy_point(row) for row in points),
        "entities_drifted": len(drifted),
    }
    components: dict[str, float] = {}
    if entities:
        components["source_coverage"] = inputs["entities_with_source"] / len(entities)
        components["drift_free"] = 1 - len(drifted) / len(entities)
    if points:
        components["point_health"] = inputs["points_healthy"] / len(points)
    value = round(fmean(components.values()), 3) if components else 0.0
    return {
        "value": value,
        "method": (
            "mean of source_coverage (entities_with_source / entities), point_health "
            "(points_healthy / points, when there are points) and drift_free "
            "(1 - entities_drifted / entities); 0 for an empty twin"
        ),
        "components": {k: round(v, 3) for k, v in components.items()},
        "inputs": inputs,
    }


# --- evidence and assumptions -------------------------------------------------------------------


def _evidence_anchors(inputs: SnapshotInputs) -> list[dict[str, Any]]:
    anchors = [
        {
            "claim": (
                f"{_entities(s['entities'])} defined by {s['file_name']} ({s['format']}), "
                f"imported {s['imported_at']}"
            ),
            "anchor": {
                "type": "source",
                "source_id": s["source_id"],
                "file_name": s["file_name"],
                "sha256": s["sha256"],
            },
        }
        for s in inputs.sources
    ]
    if inputs.migrations:
        last = max(inputs.migrations, key=lambda m: m["version"])
        anchors.append(
            {
                "claim": f"the graph schema is at migration {last['version']:04d}_{last['name']}",
                "anchor": {"type": "schema_migration", "version": last["version"]},
            }
        )
    if inputs.audit is not None and inputs.audit.verification is not None:
        anchors.append(_audit_anchor(inputs.audit, inputs.audit.verification))
    anchors.extend(
        {
            "claim": (
                f"live values from {d.get('source_id')} ({d.get('type')}), last success "
                f"{d.get('last_success')}"
            ),
            "anchor": {
                "type": "data_source",
                "source_id": d.get("source_id"),
                "endpoint": d.get("endpoint"),
                "updated_at": d.get("updated_at"),
            },
        }
        for d in inputs.data_sources
    )
    return anchors


def _entities(count: int) -> str:
    return "1 entity is" if count == 1 else f"{count} entities are"


def _audit_anchor(audit: AuditState, checked: AuditVerification) -> dict[str, Any]:
    if checked.ok:
        claim = f"the audit log's hash chain verifies: {checked.records} records"
    else:
        claim = (
            f"the audit log's hash chain breaks at line {checked.first_bad_line} "
            f"({checked.reason}); the {checked.records} records before it verify"
        )
    return {
        "claim": claim,
        "anchor": {
            "type": "audit_log",
            "path": str(audit.path),
            "head_hash": checked.head_hash,
            "records": checked.records,
            "verified": checked.ok,
        },
    }


def _fixed_assumptions(inputs: SnapshotInputs) -> list[str]:
    found = []
    if inputs.root is not None or inputs.source is not None:
        parts = []
        if inputs.root is not None:
            parts.append(
                f"the subtree of {inputs.root} (what it contains, its parts and points, and "
                "what is located in it)"
            )
        if inputs.source is not None:
            parts.append(f"the entities import source {inputs.source} defines")
        found.append(f"scope: {' and '.join(parts)}; data sources are those of the whole twin")
    found += [
        "structural checks are counted when the snapshot is taken; no monitor raises "
        "structural drift issues yet",
        "last_query is unknown: the GraphQL API keeps no record of queries",
        "predicted drift issues open only while `graphtwin forecast watch` runs; forecasts "
        "use the models `graphtwin forecast fit` stored, or fit one when none is fresh",
    ]
    return found
