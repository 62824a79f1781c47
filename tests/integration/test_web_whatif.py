"""The flight deck's what-if, decision and audit pages over plain HTTP (httpx) against the
session's real `graphtwin serve`: an operator runs a scenario from the form and accepts an
action with a note, which the decision log then shows; without the CSRF token, or as a viewer,
nothing is run or recorded; the audit page is the auditor's, and its exports hold the records
of the page's filter."""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.audit import read_audit_log
from graphtwin.store import TwinStore
from tests.integration.test_simulation_interfaces import count, office
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j
__all__ = ["office"]  # the fixture, used by name

HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_OPTION = re.compile(r'<option value="([^"]+)">')
_DATA = re.compile(r'<script type="application/json" id="whatif-data">(.*?)</script>', re.S)
FORM = {
    "name": "AHU-1 trips",
    "horizon": "1h",
    "outdoor": "constant",
    "outdoor_value": "32",
    "intervention_type": "trip",
    "intervention_target": "ahu-1",
    "action_0_name": "halve the gains",
    "action_0_type": "occupancy",
    "action_0_target": "zone-1",
    "action_0_value": "0.5",
}


def signed_in(server: ApiServer, role: Role) -> tuple[httpx.Client, str]:
    """A client with a session of `role`'s key, and the session's CSRF token."""
    client = httpx.Client(base_url=server.url, headers=HTML, timeout=60)
    answer = client.post("/login", data={"api_key": server.keys[role], "next": "/whatif"})
    assert answer.status_code == 303, answer.text
    page = client.get("/decisions")
    match = _CSRF.search(page.text)
    assert page.status_code == 200 and match, page.text[:300]
    return client, match[1]


def test_an_operator_runs_a_what_if_from_the_form_and_accepts_an_action_a_viewer_cannot(
    api: ApiServer, office: TwinStore
):
    operator, token = signed_in(api, Role.OPERATOR)
    viewer, viewer_token = signed_in(api, Role.VIEWER)
    with closing(operator), closing(viewer):
        form = operator.get("/whatif?trip=ahu-1")
        assert form.status_code == 200 and 'action="/whatif/run"' in form.text
        assert 'name="intervention_target" list="equipment-ids" required value="ahu-1"' in form.text
        assert 'action="/whatif/run"' not in viewer.get("/whatif").text

        runs = count(office, "SimulationRun")
        assert (
            viewer.post("/whatif/run", data={**FORM, "csrf_token": viewer_token}).status_code == 403
        )
        assert operator.post("/whatif/run", data=FORM).status_code == 403  # no CSRF token
        assert count(office, "SimulationRun") == runs

        ran = operator.post("/whatif/run", data={**FORM, "csrf_token": token})
        assert ran.status_code == 303 and ran.headers["location"].startswith("/whatif/runs/")
        page = viewer.get(ran.headers["location"])  # a viewer reads the run
        assert page.status_code == 200 and "halve the gains" in page.text
        assert 'action="/whatif/runs/' not in page.text  # but has no accept form
        charts = json.loads(_DATA.search(page.text)[1])
        assert charts[0]["zone"] == "zone-1"  # it loses supply: shown first
        assert [s["name"] for s in charts[0]["series"]] == ["inaction", "halve the gains"]

        accept = f"{ran.headers['location']}/accept"
        decision = {"action": "halve the gains", "note": "fewer people in zone 1"}
        assert operator.post(accept, data=decision).status_code == 403  # no CSRF token
        refused = viewer.post(accept, data={**decision, "csrf_token": viewer_token})
        assert refused.status_code == 403 and count(office, "Decision") == 0
        empty = operator.post(accept, data={**decision, "note": "", "csrf_token": token})
        assert empty.status_code == 400 and count(office, "Decision") == 0

        done = operator.post(accept, data={**decision, "csrf_token": token})
        assert done.status_code == 303 and done.headers["location"] == "/decisions"
        log = viewer.get("/decisions")
        assert "fewer people in zone 1" in log.text and "halve the gains" in log.text
        assert count(office, "Decision") == 1


def test_a_target_field_suggests_the_matching_equipment_or_places_as_it_is_typed(
    api: ApiServer, office: TwinStore
):
    operator, _ = signed_in(api, Role.OPERATOR)
    with closing(operator):
        form = operator.get("/whatif")
        assert '<datalist id="equipment-ids"></datalist>' in form.text  # none listed up front
        assert 'hx-get="/whatif/targets"' in form.text

        def suggested(**params: str) -> set[str]:
            answer = operator.get("/whatif/targets", params=params)
            assert answer.status_code == 200, answer.text
            return set(_OPTION.findall(answer.text))

        assert suggested(intervention_target="ahu") == {"ahu-1", "ahu-2"}
        assert suggested(intervention_target="zone") == set()  # a zone is no equipment
        places = suggested(places="true", action_0_target="zone")
        assert places == {"zone-1", "zone-2", "zone-3"}
        assert suggested(intervention_target=" ") == set()


def test_the_audit_page_is_the_auditors_and_its_exports_hold_the_filtered_records(
    api: ApiServer, office: TwinStore
):
    auditor, _ = signed_in(api, Role.AUDITOR)
    viewer, _ = signed_in(api, Role.VIEWER)
    with closing(auditor), closing(viewer):
        refused = viewer.get("/audit")
        assert refused.status_code == 403 and "may not audit" in refused.text
        assert viewer.get("/audit/export.csv").status_code == 403

        page = auditor.get("/audit?node=zone-1")
        assert page.status_code == 200 and "Verified" in page.text
        assert "floor_area_m2" in page.text and ">office<" in page.text  # zone-1's lineage

        kind = "apikey_created"
        logged = read_audit_log(Path(str(api.telemetry_dir)) / "audit.jsonl", [kind])
        rows = list(csv.DictReader(io.StringIO(auditor.get(f"/audit/export.csv?kind={kind}").text)))
        assert [int(r["seq"]) for r in rows] == [r.seq for r in reversed(logged)]
        assert {r["kind"] for r in rows} == {kind}
        assert json.loads(rows[0]["payload"]) == logged[-1].payload
        exported = auditor.get(f"/audit/export.json?kind={kind}")
        assert "attachment" in exported.headers["content-disposition"]
        records = exported.json()["records"]
        assert [r["hash"] for r in records] == [r.hash for r in reversed(logged)]
