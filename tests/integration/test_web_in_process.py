"""The flight deck in-process (the app `graphtwin serve` runs, under starlette's TestClient, on
the session's Neo4j): what needs the server's own objects, a key revoked through its key store
and a page's GraphQL document run as the signed-in key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from graphtwin.store import TwinStore
from graphtwin.web import create_app
from graphtwin.web import graphql as web_graphql
from graphtwin.web.session import SignedIn

pytestmark = pytest.mark.neo4j

BUILDINGS = 'query { nodes(kind: "Building", first: 5) { items { twinId } } }'
LABEL = 'mutation { labelDriftIssue(issueId: "x", verdict: FALSE_ALARM, note: "n") { issueId } }'
DOCUMENTS = {"test_buildings": BUILDINGS, "test_label": LABEL, "test_broken": "query { nope }"}


@pytest.fixture(scope="module")
def deck(
    neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The flight deck's app with two more pages: `/test/signed-in` (who is signed in) and
    `/test/graphql/<document>`, which runs a document of DOCUMENTS through
    `graphtwin.web.graphql.graphql`."""
    settings = neo4j_settings.model_copy(
        update={"data_dir": Path(tmp_path_factory.mktemp("web-in-process"))}
    )
    app = create_app(settings)

    @app.get("/test/signed-in")
    async def who(session: SignedIn) -> str:
        return session.principal.name

    @app.get("/test/graphql/{name}")
    async def run(request: Request, name: str, session: SignedIn) -> dict:
        return await web_graphql.graphql(request, name)

    with pytest.MonkeyPatch.context() as patch:
        packaged = web_graphql.document  # the pages' own documents stay as they are
        patch.setattr(web_graphql, "document", lambda name: DOCUMENTS.get(name) or packaged(name))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            yield client


def _new_key(client: TestClient, role: Role) -> tuple[str, str]:
    """(key id, key) of a new key of `role`, created through the server's own key store."""
    keys = client.app.state.web_services().api_keys
    created = client.portal.call(keys.create, role, f"web-{role.value}")
    return created.key_id, created.token


def _sign_in(client: TestClient, token: str) -> None:
    client.cookies.clear()
    answer = client.post("/login", data={"api_key": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def test_a_revoked_keys_session_ends_at_its_next_request(deck: TestClient):
    key_id, token = _new_key(deck, Role.VIEWER)
    _sign_in(deck, token)
    assert deck.get("/test/signed-in").json() == "web-viewer"
    keys = deck.app.state.web_services().api_keys
    assert deck.portal.call(keys.revoke, key_id)
    ended = deck.get("/test/signed-in", headers={"Accept": "text/html"}, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/login")
    deck.cookies.clear()


def test_a_page_runs_its_graphql_document_as_the_signed_in_key(deck: TestClient, store: TwinStore):
    _, token = _new_key(deck, Role.VIEWER)
    _sign_in(deck, token)
    answer = deck.get("/test/graphql/test_buildings")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"nodes": {"items": []}}  # `store` emptied the twin


def test_a_forbidden_or_broken_document_is_an_error_page_naming_it_not_an_empty_page(
    deck: TestClient,
):
    _, token = _new_key(deck, Role.VIEWER)
    _sign_in(deck, token)
    html = {"Accept": "text/html"}
    forbidden = deck.get("/test/graphql/test_label", headers=html)
    assert forbidden.status_code == 403
    assert "test_label" in forbidden.text and "may not label_drift" in forbidden.text
    broken = deck.get("/test/graphql/test_broken", headers={"HX-Request": "true"})
    assert broken.status_code == 400
    assert broken.text.startswith("test_broken: ") and "nope" in broken.text
