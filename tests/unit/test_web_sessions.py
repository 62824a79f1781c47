"""The flight deck's pure parts: sessions' idle expiry, sign-in redirects, roles in templates,
how a GraphQL error becomes an HTTP status, time formatting (no server, no database)."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from graphtwin.api.roles import Permission, Principal, Role
from graphtwin.errors import InputError, StatementRefusedError, TwinNotFoundError
from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import status_of
from graphtwin.web.session import Session, SessionStore, local_path
from graphtwin.web.templates import NAV, when

VIEWER = Principal("0123456789ab", "v", Role.VIEWER)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_ends_after_the_idle_time_and_each_use_extends_it():
    clock = Clock()
    store = SessionStore(idle_s=60, clock=clock)
    session_id, session = store.open("gt_key", VIEWER)
    clock.now += 59
    assert store.get(session_id) is session  # used: idle again from now
    clock.now += 59
    assert store.get(session_id) is session
    clock.now += 60
    assert store.get(session_id) is None
    assert len(store) == 0


def test_opening_a_session_drops_the_idle_ones_and_ids_and_csrf_tokens_are_random():
    clock = Clock()
    store = SessionStore(idle_s=60, clock=clock)
    first, one = store.open("gt_a", VIEWER)
    clock.now += 61
    second, other = store.open("gt_b", VIEWER)
    assert len(store) == 1 and store.get(first) is None
    assert first != second and one.csrf_token != other.csrf_token
    assert len(second) >= 40 and len(other.csrf_token) >= 40


def test_a_sign_in_goes_back_only_to_a_path_of_this_site():
    assert local_path("/nodes/ahu-1?x=1") == "/nodes/ahu-1?x=1"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None):
        assert local_path(elsewhere) == "/inbox"


def test_a_viewer_may_read_but_an_action_needing_more_is_a_403_naming_it():
    session = Session("gt_key", VIEWER)
    assert session.may("read") and not session.may(Permission.LABEL_DRIFT)
    with pytest.raises(WebActionError) as refused:
        session.require(Permission.LABEL_DRIFT, "dismiss as a false alarm")
    assert refused.value.status == 403
    assert str(refused.value).startswith("dismiss as a false alarm: role 'viewer' may not")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (GraphQLError("no", extensions={"code": "FORBIDDEN"}), 403),
        (GraphQLError("slow", extensions={"code": "TIME_LIMIT"}), 504),
        (GraphQLError("Cannot query field 'nope'"), 400),
        (GraphQLError("x", original_error=TwinNotFoundError("ahu-9")), 404),
        (GraphQLError("x", original_error=InputError("bad note")), 400),
        (GraphQLError("x", original_error=RuntimeError("bug")), 500),
        (GraphQLError("x", original_error=StatementRefusedError("api/x", "Neo.C", "y")), 500),
    ],
)
def test_a_graphql_error_becomes_the_http_status_that_says_whose_fault_it_is(error, status):
    assert status_of([error]) == status


def test_of_several_graphql_errors_the_most_serious_decides():
    bad_input = GraphQLError("x", original_error=InputError("bad"))
    failed = GraphQLError("x", extensions={"code": "STORE_ERROR"})
    assert status_of([bad_input, failed]) == 500


def test_timestamps_are_shown_in_utc_to_the_minute():
    assert when("2026-12-07T21:33:36+01:00") == "2026-12-07 20:33 UTC"
    assert when("2026-12-07T20:33:36") == "2026-12-07 20:33 UTC"  # no offset: UTC
    assert when(None) == "" and when("soon") == "soon"


def test_a_nodes_page_and_a_points_page_belong_to_the_explorer_in_the_navigation():
    current = {item.label for item in NAV if item.current("/points/ahu-1-sat")}
    assert current == {"Explorer"}
    assert not any(item.current("/inboxes") for item in NAV)
