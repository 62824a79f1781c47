"""The inbox on a real Neo4j through the API: drift issues of the demo campus ranked by impact x
urgency with their because chains, and the actions on them (acknowledge, assign, accept a
reconciliation), each audited, refused to a viewer, and refused with nothing written for an
unknown issue, a non-person or an empty note."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

CAMPUS = Path(__file__).parents[2] / "examples" / "demo-campus.yaml"
ITEMS = """query($scope: ID, $first: Int!) { inbox(scope: $scope, first: $first) {
  itemId source type severity twinId name score status issueId proposal because evidence
  impact { score zones people hardConstraints explanation } urgency { clock hours score }
  assignee { twinId name note } } }"""


def issue_row(twin_id: str, kind: str, hours_ago: float, **changes: object) -> dict:
    """A drift issue as the reconciler opens it (drift/issues_open), `hours_ago` hours ago."""
    at_ms = int((datetime.now(UTC) - timedelta(hours=hours_ago)).timestamp() * 1000)
    row = {
        "issue_id": f"drift:{kind}:{twin_id}:{at_ms}",
        "twin_id": twin_id,
        "type": kind,
        "severity": "warning",
        "description": f"{kind} on {twin_id}",
        "at_ms": at_ms,
        "status": "open",
        "strategy": "alert",
        "rule": "comfort",
        "value": 27.5,
        "evidence": "{}",
    }
    return row | changes


def campus_with_issues(store: TwinStore, rows: list[dict]) -> None:
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    store.write("drift/issues_open", rows=rows)


def _audited(api: ApiServer, kind: str, issue_id: str) -> list:
    """The records of `kind` about `issue_id` in the server's audit log (which the session's
    other tests write to as well)."""
    assert api.telemetry_dir is not None
    log = Path(api.telemetry_dir) / "audit.jsonl"
    records = read_audit_log(log) if log.exists() else []
    return [r for r in records if r.kind == kind and r.payload.get("issue_id") == issue_id]


def test_the_inbox_ranks_drift_by_impact_and_urgency_and_says_why(
    api: ApiServer, store: TwinStore
) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    rows = [
        issue_row("ahu-1.sat", "threshold", 2),  # feeds three rooms: 58 people
        issue_row("vav-202.zat", "threshold", 2),  # one office of two
        issue_row("vav-202.zat", "semantic", 30),  # a model defect: no clock
        issue_row("vav-201.zat", "predicted", 0.1, evidence=json.dumps(
            {"expected_at": soon, "probability": 0.8})),
        issue_row("vav-101.zat", "threshold", 5, status="resolved"),  # not waiting for anyone
    ]  # fmt: skip
    campus_with_issues(store, rows)
    items = api.data(ITEMS, variables={"first": 50})["inbox"]
    drift = [i for i in items if i["source"] == "drift"]
    assert {i["issueId"] for i in drift} == {r["issue_id"] for r in rows[:4]}
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    ahu, office = (next(i for i in drift if i["issueId"] == r["issue_id"]) for r in rows[:2])
    assert ahu["impact"]["zones"] > office["impact"]["zones"] >= 1
    assert ahu["impact"]["people"] == 16 + 40 + 2 and office["impact"]["people"] == 2
    assert ahu["impact"]["hardConstraints"] >= 1  # EN 16798 applies to the rooms it feeds
    assert ahu["score"] > office["score"]
    assert ahu["urgency"]["clock"] == "ongoing" and ahu["proposal"]
    assert any("Ada Keller" in line for line in ahu["because"])  # responsible for AHU-1
    assert any(line.startswith("impact ") for line in ahu["because"])
    predicted = next(i for i in drift if i["type"] == "predicted")
    assert predicted["urgency"]["clock"] == "expected" and predicted["urgency"]["hours"] < 1.01
    assert next(i for i in drift if i["type"] == "semantic")["urgency"]["clock"] == "latent"

    # A room's inbox: its own, and what serves it (VAV-202) and feeds that (AHU-1).
    scoped = api.data(ITEMS, variables={"scope": "bldg-a.l2.r202", "first": 50})["inbox"]
    assert {i["twinId"] for i in scoped if i["source"] == "drift"} == {"vav-202.zat", "ahu-1.sat"}
    plant = api.data(ITEMS, variables={"scope": "bldg-a.l1.mech", "first": 50})["inbox"]
    assert {i["twinId"] for i in plant if i["source"] == "drift"} == {"ahu-1.sat"}
    unknown = api.post(ITEMS, variables={"scope": "no-such-node", "first": 5}).json()
    assert "no-such-node" in unknown["errors"][0]["message"]


ACK = """mutation($id: ID!, $note: String!) { acknowledgeDriftIssue(issueId: $id, note: $note)
  { status acknowledgedBy acknowledgedNote acknowledgedAt } }"""
ASSIGN = """mutation($id: ID!, $person: ID!) { assignDriftIssue(issueId: $id, person: $person,
  note: "Ada knows this AHU") { status assignee { twinId name by note } } }"""
ACCEPT = """mutation($id: ID!) { acceptReconciliation(issueId: $id, note: "the sensor is right")
  { status acceptedBy acceptedNote } }"""


def test_acknowledge_assign_and_accept_are_done_audited_and_refused_to_a_viewer(
    api: ApiServer, store: TwinStore
) -> None:
    rows = [issue_row("ahu-1.sat", "threshold", 1), issue_row("vav-202.zat", "semantic", 1)]
    campus_with_issues(store, rows)
    threshold, semantic = rows[0]["issue_id"], rows[1]["issue_id"]
    variables = {"id": threshold, "note": "on my way"}

    assert api.post(ACK, role=Role.VIEWER, variables=variables).status_code == 403
    done = api.data(ACK, role=Role.OPERATOR, variables=variables)["acknowledgeDriftIssue"]
    assert done["status"] == "investigating" and done["acknowledgedNote"] == "on my way"
    assert done["acknowledgedBy"].endswith(":test-operator") and done["acknowledgedAt"]
    [record] = _audited(api, "drift_acknowledged", threshold)
    assert record.actor == done["acknowledgedBy"] and record.payload["note"] == "on my way"
    assert record.payload["issue_id"] == threshold

    to_ada = {"id": threshold, "person": "person-ada"}
    assigned = api.data(ASSIGN, role=Role.OPERATOR, variables=to_ada)["assignDriftIssue"]
    assert assigned["assignee"] == {
        "twinId": "person-ada",
        "name": "Ada Keller",
        "by": done["acknowledgedBy"],
        "note": "Ada knows this AHU",
    }
    assert _audited(api, "drift_assigned", threshold)[0].payload["person"] == "person-ada"
    not_a_person = api.post(ASSIGN, role=Role.OPERATOR, variables={"id": threshold,
                            "person": "ahu-1"}).json()  # fmt: skip
    assert "ahu-1" in not_a_person["errors"][0]["message"]
    assert "Person" in not_a_person["errors"][0]["message"]
    assert len(_audited(api, "drift_assigned", threshold)) == 1

    refused = api.post(ACCEPT, role=Role.OPERATOR, variables={"id": semantic}).json()
    assert semantic in refused["errors"][0]["message"]
    assert not _audited(api, "drift_reconciliation_accepted", semantic)
    accepted = api.data(ACCEPT, role=Role.OPERATOR, variables={"id": threshold})
    assert accepted["acceptReconciliation"]["status"] == "auto_corrected"
    [record] = _audited(api, "drift_reconciliation_accepted", threshold)
    assert (
        record.payload["note"] == "the sensor is right"
        and "auto_correct" in (record.payload["proposal"])
    )
    inbox = api.data(ITEMS, variables={"first": 50})["inbox"]
    assert threshold not in {i["issueId"] for i in inbox}  # handled: no longer waiting


def test_an_unknown_issue_or_an_empty_note_is_an_error_naming_it_and_nothing_is_written(
    api: ApiServer, store: TwinStore
) -> None:
    rows = [issue_row("ahu-1.sat", "threshold", 1)]
    campus_with_issues(store, rows)
    unknown = api.post(ACK, role=Role.OPERATOR, variables={"id": "drift:none", "note": "x"})
    assert "drift:none" in unknown.json()["errors"][0]["message"]
    empty = api.post(ACK, role=Role.OPERATOR, variables={"id": rows[0]["issue_id"], "note": " "})
    assert "note" in empty.json()["errors"][0]["message"]
    [row] = store.read("drift/issue_by_id", issue_id=rows[0]["issue_id"])
    assert row["issue"]["status"] == "open" and row["issue"]["acknowledged_by"] is None
    assert not _audited(api, "drift_acknowledged", rows[0]["issue_id"])
