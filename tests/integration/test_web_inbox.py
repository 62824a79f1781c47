"""The inbox page over plain HTTP (httpx) against the session's `graphtwin serve`: it lists the
ranked items with their because chain, an operator's action form does the action and answers
303 (no JavaScript) or the item's new state (htmx), a viewer sees no forms and its forged POST
is refused, and a POST without the CSRF token does nothing."""

from __future__ import annotations

import re

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from tests.integration.test_inbox_api import campus_with_issues, issue_row
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _signed_in(server: ApiServer, role: Role) -> tuple[httpx.Client, str, str]:
    """A client with a session of `role`, its CSRF token and the inbox page's HTML."""
    client = httpx.Client(base_url=server.url, headers=HTML, timeout=60)
    answer = client.post("/login", data={"api_key": server.keys[role], "next": "/inbox"})
    assert answer.status_code == 303, answer.text
    page = client.get("/inbox")
    assert page.status_code == 200, page.text
    match = _CSRF.search(page.text)
    assert match
    return client, match[1], page.text


def _status(store: TwinStore, issue_id: str) -> dict:
    [row] = store.read("drift/issue_by_id", issue_id=issue_id)
    return row["issue"]


def test_an_operator_sees_ranked_items_with_actions_and_a_plain_form_post_acknowledges(
    api_server: ApiServer, store: TwinStore
) -> None:
    rows = [issue_row("ahu-1.sat", "threshold", 2), issue_row("vav-202.zat", "threshold", 1)]
    campus_with_issues(store, rows)
    client, token, page = _signed_in(api_server, Role.OPERATOR)
    try:
        assert page.index("AHU-1 Supply Air Temperature") < page.index("VAV-202 Zone Air")
        assert "Because" in page and "impact " in page and "Ada Keller" in page
        assert 'href="/points/ahu-1.sat"' in page and "/whatif?target=ahu-1.sat" in page
        for action in ("acknowledge", "assign", "accept", "dismiss"):
            assert f'action="/inbox/{action}"' in page
        assert '<option value="person-ada"' in page

        issue_id = rows[0]["issue_id"]
        form = {"csrf_token": token, "issue_id": issue_id, "note": "on my way", "back": "/inbox"}
        done = client.post("/inbox/acknowledge", data=form)
        assert done.status_code == 303 and done.headers["location"] == "/inbox"
        issue = _status(store, issue_id)
        assert (issue["status"], issue["acknowledged_note"]) == ("investigating", "on my way")

        swapped = client.post(
            "/inbox/assign",
            data={"issue_id": issue_id, "person": "person-ada", "note": "Ada knows it"},
            headers={"X-CSRF-Token": token, "HX-Request": "true", "HX-Target": "item-1"},
        )
        assert swapped.status_code == 200 and 'id="item-1"' in swapped.text
        assert "Assigned" in swapped.text and "Ada Keller" in swapped.text
        assert _status(store, issue_id)["assignee"]["twin_id"] == "person-ada"

        other = rows[1]["issue_id"]
        empty = client.post("/inbox/acknowledge",
                            data={"csrf_token": token, "issue_id": other, "note": ""})  # fmt: skip
        assert empty.status_code == 400 and "note" in empty.text
        assert _status(store, other)["status"] == "open"
    finally:
        client.close()


def test_a_viewer_sees_no_actions_and_its_forged_post_is_refused(
    api_server: ApiServer, store: TwinStore
) -> None:
    rows = [issue_row("ahu-1.sat", "threshold", 2)]
    campus_with_issues(store, rows)
    client, token, page = _signed_in(api_server, Role.VIEWER)
    try:
        assert "AHU-1 Supply Air Temperature" in page
        assert '<form class="action"' not in page and "/inbox/dismiss" not in page
        forged = client.post("/inbox/dismiss", data={"csrf_token": token,
                             "issue_id": rows[0]["issue_id"], "note": "not mine"})  # fmt: skip
        assert forged.status_code == 403
    finally:
        client.close()
    assert _status(store, rows[0]["issue_id"])["status"] == "open"


def test_a_post_without_the_csrf_token_is_refused_and_does_nothing(
    api_server: ApiServer, store: TwinStore
) -> None:
    rows = [issue_row("ahu-1.sat", "threshold", 2)]
    campus_with_issues(store, rows)
    client, _, _ = _signed_in(api_server, Role.OPERATOR)
    try:
        refused = client.post("/inbox/acknowledge",
                              data={"issue_id": rows[0]["issue_id"], "note": "x"})  # fmt: skip
        assert refused.status_code == 403 and "CSRF" in refused.text
    finally:
        client.close()
    assert _status(store, rows[0]["issue_id"])["status"] == "open"
