"""Cross-site request forgery: every POST carries the session's token, or is refused (403).

Forms send it as the field `csrf_token` (`<input type="hidden" name="csrf_token" value="{{
csrf_token }}">`); htmx sends it as the header `X-CSRF-Token` (static/app.js reads it from the
page's `<meta name="csrf-token">`). The check runs as a dependency, before the action: a refused
request does nothing. The cookie's SameSite=Strict is a second, independent guard.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from graphtwin.web.errors import WebActionError
from graphtwin.web.session import Session, signed_in

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def check_csrf(request: Request, session: Session) -> None:
    """A 403 `WebActionError` unless `request` carries `session`'s CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)  # starlette keeps the parsed form
        sent = value if isinstance(value, str) else None
    if sent is None or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise WebActionError(
            f"{request.method} {request.url.path}",
            "the CSRF token is missing or wrong, so nothing was done: reload the page and try "
            "again",
            status=403,
        )


async def csrf_checked(
    request: Request, session: Annotated[Session, Depends(signed_in)]
) -> Session:
    """The session of a POST that carries its CSRF token (a FastAPI dependency: `CsrfChecked`)."""
    await check_csrf(request, session)
    return session


CsrfChecked = Annotated[Session, Depends(csrf_checked)]
"""An action's parameter: signed in AND the CSRF token checked, before the action runs.

>>> @router.post("/inbox/{issue_id}/acknowledge")
... async def acknowledge(request: Request, session: CsrfChecked, note: Annotated[str, Form()]):
...     session.require(Permission.LABEL_DRIFT, "acknowledge")
...     await graphql(request, "acknowledge", issueId=issue_id, note=note)
"""
