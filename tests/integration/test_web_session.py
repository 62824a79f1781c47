"""Signing in to the flight deck, its session cookie and CSRF, against the real `graphtwin serve`
of the session (`api_server`): every request here is plain HTTP (httpx), no browser."""

from __future__ import annotations

import re

import httpx
import pytest

from graphtwin.api.roles import Role
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _sign_in(client: httpx.Client, server: ApiServer, role: Role) -> None:
    """`client` holds a session of `role`'s key (signed in through POST /login)."""
    answer = client.post("/login", data={"api_key": server.keys[role], "next": "/inbox"})
    assert answer.status_code == 303, answer.text


def _csrf_token(client: httpx.Client) -> str:
    page = client.get("/decisions")  # a light page: the token is in every page's frame
    assert page.status_code == 200, page.text
    match = _CSRF.search(page.text)
    assert match, page.text[:500]
    return match[1]


def test_the_root_leads_to_the_inbox_and_without_a_session_to_the_sign_in_page(
    api_server: ApiServer,
):
    root = httpx.get(f"{api_server.url}/", headers=HTML)
    assert root.status_code == 303 and root.headers["location"] == "/inbox"
    inbox = httpx.get(f"{api_server.url}/inbox?first=5", headers=HTML)
    assert inbox.status_code == 303
    assert inbox.headers["location"] == "/login?next=%2Finbox%3Ffirst%3D5"
    login = httpx.get(f"{api_server.url}/login", headers=HTML)
    assert login.status_code == 200
    assert '<label for="api_key">API key</label>' in login.text
    assert "default-src 'self'" in login.headers["content-security-policy"]


def test_signing_in_sets_an_httponly_strict_session_cookie_and_shows_who_is_signed_in(
    api_server: ApiServer,
):
    with httpx.Client(base_url=api_server.url, headers=HTML, timeout=60) as client:
        answer = client.post(
            "/login", data={"api_key": api_server.keys[Role.OPERATOR], "next": "/decisions"}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/decisions"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("graphtwin_session=")
        flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= flags, cookie
        assert "secure" not in flags  # plain http here; over https the cookie is Secure
        assert api_server.keys[Role.OPERATOR] not in cookie  # the key stays on the server
        page = client.get("/decisions")  # /audit is the auditor's: an operator gets 403
        assert page.status_code == 200
        assert "test-operator" in page.text and ">operator<" in page.text
        assert 'aria-current="page">Decisions' in page.text


def test_a_wrong_key_gets_the_form_again_with_401_and_no_session(api_server: ApiServer):
    wrong = "gt_000000000000_" + "x" * 43
    answer = httpx.post(f"{api_server.url}/login", data={"api_key": wrong}, headers=HTML)
    assert answer.status_code == 401
    assert "set-cookie" not in answer.headers
    assert "the API key is not valid" in answer.text


def test_a_sign_in_link_cannot_send_the_browser_to_another_site(api_server: ApiServer):
    data = {"api_key": api_server.keys[Role.VIEWER], "next": "//evil.example/x"}
    answer = httpx.post(f"{api_server.url}/login", data=data, headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox"


def test_a_sign_in_posted_from_another_sites_page_is_refused(api_server: ApiServer):
    data = {"api_key": api_server.keys[Role.VIEWER]}
    forged = {**HTML, "Origin": "https://evil.example"}
    answer = httpx.post(f"{api_server.url}/login", data=data, headers=forged)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_htmx_without_a_session_gets_401_and_a_browser_goes_to_the_sign_in_page(
    api_server: ApiServer,
):
    htmx = httpx.get(f"{api_server.url}/inbox", headers={"HX-Request": "true"})
    assert htmx.status_code == 401
    unknown = httpx.get(
        f"{api_server.url}/inbox", headers=HTML, cookies={"graphtwin_session": "made-up"}
    )
    assert unknown.status_code == 303 and unknown.headers["location"].startswith("/login")
    form = httpx.post(f"{api_server.url}/logout", headers=HTML, data={"csrf_token": "x"})
    assert form.status_code == 303 and form.headers["location"] == "/login"


def test_a_post_without_the_csrf_token_is_refused_and_the_session_stays(api_server: ApiServer):
    with httpx.Client(base_url=api_server.url, headers=HTML, timeout=60) as client:
        _sign_in(client, api_server, Role.VIEWER)
        token = _csrf_token(client)
        for forged in ({}, {"csrf_token": "wrong"}):
            refused = client.post("/logout", data=forged)
            assert refused.status_code == 403, refused.text
            assert "CSRF token is missing or wrong" in refused.text
        assert client.get("/decisions").status_code == 200  # nothing was done: signed in
        out = client.post("/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get("/decisions").status_code == 303  # signed out
