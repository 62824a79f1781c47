"""The flight deck's errors: each is answered with a page (or, to htmx, a line) naming it."""

from __future__ import annotations

from graphtwin.errors import GraphTwinError


class WebActionError(GraphTwinError):
    """A page or an action that could not be done, with the HTTP status to answer: 403 for a
    permission or a CSRF token, 400 for bad input, 404 for what does not exist, 5xx for the
    server's own failures. `what` names the page, action or GraphQL document that failed."""

    def __init__(self, what: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what
        self.reason = message
        self.status = status


class NotSignedInError(GraphTwinError):
    """No session, an expired one, or one whose API key was revoked: a page redirects to
    /login, an htmx or JSON request gets 401."""
