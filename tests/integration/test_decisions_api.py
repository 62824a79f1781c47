"""The decision log and the auditor's audit log over the API, on a real Neo4j: an operator
accepts an action of a what-if run once, with the outcome the run predicted, audited; a viewer
cannot; an unknown run or action or an empty note is refused with nothing written; the log
compares the prediction with the history since; an auditor pages the audit log, newest first,
and sees its chain verified; a viewer does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log
from graphtwin.store import TwinStore
from tests.integration.test_simulation_interfaces import SCENARIO_INPUT, SIMULATE, count, office
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j
__all__ = ["office"]  # the fixture, used by name

ACCEPT = """mutation($run: ID!, $action: String!, $note: String!) {
  acceptAction(runId: $run, action: $action, note: $note) {
    decisionId runId scenario action note by at
    predicted { rank because violationHours energyKwh cost co2Kg timeToViolationS horizonS
                zones { zone point meanC minC maxC violationMinutes } }
  }
}"""
DECISIONS = """{ decisions { decisionId action note
  observed { status reason elapsedS meanAbsErrorC
             zones { zone point status samples predictedMeanC observedMeanC errorC } } } }"""
AUDIT = """query($before: Int) {
  auditLog(first: 2, before: $before) { records { seq kind actor payload } nextBefore }
  auditChain { ok records keyChecked guarantees }
}"""


def error_of(response: Any) -> tuple[int, str | None, str]:
    """(HTTP status, the error's code when it has one, its message)."""
    error = response.json()["errors"][0]
    return response.status_code, (error.get("extensions") or {}).get("code"), error["message"]


def test_an_operator_accepts_an_action_once_with_its_prediction_and_an_auditor_sees_it_logged(
    api: ApiServer, office: TwinStore
):
    start = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    scenario = {**SCENARIO_INPUT, "start": start.isoformat()}
    run = api.data(SIMULATE, role=Role.OPERATOR, variables={"s": scenario})["simulate"]
    halve = next(o for o in run["outcomes"] if o["name"] == "halve the gains")
    accept = {"run": run["runId"], "action": "halve the gains", "note": "fewer people in 1"}

    refused = api.post(ACCEPT, role=Role.VIEWER, variables=accept)
    assert error_of(refused)[:2] == (403, "FORBIDDEN") and count(office, "Decision") == 0
    for wrong, named in [
        ({"run": "no-such-run"}, "no-such-run"),
        ({"action": "open the windows"}, "open the windows"),
        ({"note": "  "}, "note"),
    ]:
        *_, message = error_of(api.post(ACCEPT, role=Role.OPERATOR,
                                              variables={**accept, **wrong}))  # fmt: skip
        assert named in message
    assert count(office, "Decision") == 0

    decision = api.data(ACCEPT, role=Role.OPERATOR, variables=accept)["acceptAction"]
    assert decision["by"].startswith("apikey:") and decision["note"] == "fewer people in 1"
    predicted = decision["predicted"]
    assert predicted["violationHours"] == halve["violationHours"]
    assert predicted["energyKwh"] == halve["energyKwh"] and predicted["horizonS"] == 3600
    zones = {z["zone"]: z for z in predicted["zones"]}
    assert zones["zone-1"]["point"] == "zone-1.t"
    assert zones["zone-1"]["minC"] <= zones["zone-1"]["meanC"] <= zones["zone-1"]["maxC"]

    *_, message = error_of(api.post(ACCEPT, role=Role.OPERATOR, variables=accept))
    assert "accepted already" in message and decision["decisionId"] in message
    assert count(office, "Decision") == 1
    trail = read_audit_log(Path(str(api.telemetry_dir)) / "audit.jsonl", ["action_accepted"])
    assert trail[-1].payload["decision_id"] == decision["decisionId"]
    assert trail[-1].actor == decision["by"] and trail[-1].payload["note"] == accept["note"]

    refused = api.post(AUDIT, role=Role.VIEWER)  # the audit log is the auditor's
    assert error_of(refused)[:2] == (403, "FORBIDDEN")
    first = api.data(AUDIT, role=Role.AUDITOR)
    records = first["auditLog"]["records"]
    assert [r["seq"] for r in records] == sorted((r["seq"] for r in records), reverse=True)
    assert records[0]["kind"] == "action_accepted" and records[0]["actor"] == decision["by"]
    chain = first["auditChain"]
    assert chain["ok"] and chain["records"] >= records[0]["seq"]
    assert "hash_chain" in chain["guarantees"]
    before = {"before": first["auditLog"]["nextBefore"]}
    older = api.data(AUDIT, role=Role.AUDITOR, variables=before)["auditLog"]["records"]
    assert older[0]["seq"] == records[-1]["seq"] - 1


def test_the_decision_log_compares_the_prediction_with_the_history_since(
    api: ApiServer, office: TwinStore
):
    start = (datetime.now(UTC) - timedelta(minutes=40)).replace(second=0, microsecond=0)
    scenario = {**SCENARIO_INPUT, "start": start.isoformat()}
    run = api.data(SIMULATE, role=Role.OPERATOR, variables={"s": scenario})["simulate"]
    accept = {"run": run["runId"], "action": "inaction", "note": "wait for the technician"}
    api.data(ACCEPT, role=Role.OPERATOR, variables=accept)

    [before] = api.data(DECISIONS)["decisions"]
    zone_2 = next(z for z in before["observed"]["zones"] if z["zone"] == "zone-2")
    assert zone_2["status"] == "not_enough_history" and zone_2["observedMeanC"] is None

    values = [{"twinId": "zone-1.t", "value": 26.0 + i / 10,
               "at": (start + timedelta(minutes=5 * i)).isoformat()} for i in range(8)]  # fmt: skip
    api.data("mutation($v: [PointValueInput!]!) { recordPointValues(values: $v) { applied } }",
             role=Role.OPERATOR, variables={"v": values})  # fmt: skip

    [after] = api.data(DECISIONS)["decisions"]
    observed = after["observed"]
    assert observed["status"] == "compared" and 35 * 60 <= observed["elapsedS"] <= 3600
    zone_1 = next(z for z in observed["zones"] if z["zone"] == "zone-1")
    assert zone_1["status"] == "compared" and zone_1["samples"] >= 7
    assert 26.0 <= zone_1["observedMeanC"] <= 26.7
    assert zone_1["errorC"] == pytest.approx(zone_1["observedMeanC"] - zone_1["predictedMeanC"])
