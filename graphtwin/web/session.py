"""Signing in to the flight deck with an API key, and the server-side sessions that follow.

`POST /login` takes the key (a form; `static/app.js` submits it from a `#api_key=` URL fragment,
which is how `make demo` hands one over), verifies it with the API's `ApiKeyStore` and opens a
session: a random id in the `graphtwin_session` cookie (HttpOnly, SameSite=Strict, Path=/,
Secure over https), and in memory the key, its principal and a CSRF token. Every request checks
the key again (the store caches its records), so a revoked key ends its sessions at once; a
session unused for `web_session_idle_s` ends too. Without a session a page redirects to /login,
an htmx or JSON request gets 401.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graphtwin.api.auth import graph_away
from graphtwin.api.context import ApiServices
from graphtwin.api.roles import ROLE_PERMISSIONS, Permission, Principal
from graphtwin.errors import GraphAwayError
from graphtwin.web.errors import NotSignedInError, WebActionError
from graphtwin.web.templates import render

SESSION_COOKIE = "graphtwin_session"
HOME = "/inbox"


@dataclass
class Session:
    """One signed-in browser: the key it signed in with (never sent back), who that is, and the
    token every POST must carry."""

    token: str
    principal: Principal
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    last_seen: float = field(default_factory=time.monotonic)

    def may(self, permission: Permission | str) -> bool:
        """Whether the key's role has `permission` (`"label_drift"` or `Permission.X`)."""
        return Permission(permission) in ROLE_PERMISSIONS[self.principal.role]

    def require(self, permission: Permission | str, action: str) -> None:
        """A 403 `WebActionError` naming `action` unless the role has `permission`."""
        if not self.may(permission):
            raise WebActionError(
                action,
                f"role {self.principal.role.value!r} may not {Permission(permission).value}: "
                "sign in with a key whose role may",
                status=403,
            )


class SessionStore:
    """The open sessions, in memory (a restart signs everyone out), ended after `idle_s`."""

    def __init__(self, idle_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._idle_s = idle_s
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, token: str, principal: Principal) -> tuple[str, Session]:
        """A new session for `principal` (signed in with `token`) and its random id."""
        self._drop_idle()
        session_id = secrets.token_urlsafe(32)
        session = self._sessions[session_id] = Session(token, principal, last_seen=self._clock())
        return session_id, session

    def get(self, session_id: str) -> Session | None:
        """The session `session_id` names, now used again; None if unknown or idle too long."""
        session = self._sessions.get(session_id)
        now = self._clock()
        if session is None:
            return None
        if now - session.last_seen >= self._idle_s:
            del self._sessions[session_id]
            return None
        session.last_seen = now
        return session

    def close(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _drop_idle(self) -> None:
        now = self._clock()
        for session_id, session in list(self._sessions.items()):
            if now - session.last_seen >= self._idle_s:
                del self._sessions[session_id]


def services_of(request: Request) -> ApiServices:
    """The API's services (driver, keys, limits) the app started with."""
    return request.app.state.web_services()


def sessions_of(app: FastAPI) -> SessionStore:
    return app.state.web_sessions


async def _verified(request: Request, token: str) -> Principal | None:
    try:
        return await services_of(request).api_keys.verify(token)
    except GraphAwayError as exc:
        raise graph_away(exc) from exc


async def signed_in(request: Request) -> Session:
    """The request's session, its key verified again (a FastAPI dependency: `SignedIn`); sets
    `request.state.session` for `render` and `graphql`."""
    store = sessions_of(request.app)
    session_id = request.cookies.get(SESSION_COOKIE)
    session = store.get(session_id) if session_id else None
    if session is None:
        raise NotSignedInError("not signed in, or the session ended: sign in with an API key")
    principal = await _verified(request, session.token)
    if principal is None:
        store.close(session_id or "")
        raise NotSignedInError("the API key of this session is no longer valid (revoked)")
    session.principal = principal
    request.state.session = session
    return session


SignedIn = Annotated[Session, Depends(signed_in)]
"""A page's parameter: the signed-in session (or a redirect to /login, a 401 to htmx)."""


def wants_html_page(request: Request) -> bool:
    """A browser navigating (not htmx, not a script asking for JSON)."""
    if request.headers.get("hx-request"):
        return False
    return "text/html" in request.headers.get("accept", "") or not request.headers.get("accept")


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site (no scheme, no host, no `//`), else the inbox: a
    sign-in link cannot send the browser elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = HOME) -> Response:
    return render(request, "login.html", title="Sign in", next=local_path(next))


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, api_key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = HOME
) -> Response:
    """Opens a session for a valid key; an invalid one gets the form again with a 401."""
    _same_origin(request)
    token = api_key.strip()
    principal = await _verified(request, token) if token else None
    if principal is None:
        return render(
            request,
            "login.html",
            status_code=401,
            title="Sign in",
            next=local_path(next),
            error="no API key given"
            if not token
            else "the API key is not valid (unknown, revoked or mistyped)",
        )
    session_id, _ = sessions_of(request.app).open(token, principal)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        path="/",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Ends the session (the CSRF token is checked first: a forged form cannot sign out)."""
    from graphtwin.web.csrf import check_csrf

    session = await signed_in(request)
    await check_csrf(request, session)
    sessions_of(request.app).close(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _same_origin(request: Request) -> None:
    """A sign-in posted from another site's page is refused (login CSRF): a browser sends
    `Origin` with every POST; it must be this server."""
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser (a script, a test client): nothing to forge
    if urlsplit(origin).netloc != request.url.netloc:  # "null" (a sandboxed page) too
        raise WebActionError("sign in", f"a sign-in from {origin} is refused", status=403)
