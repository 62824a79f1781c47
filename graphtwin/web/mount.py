"""Mounting the flight deck on the API's app: pages, sign-in, static files, error pages."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from graphtwin.api.context import ApiServices
from graphtwin.config import Settings
from graphtwin.web import session
from graphtwin.web.errors import NotSignedInError, WebActionError
from graphtwin.web.pages import ROUTERS
from graphtwin.web.templates import SECURITY_HEADERS, render

STATIC_PATH = "/static"


def mount_flight_deck(
    app: FastAPI, services: Callable[[], ApiServices], settings: Settings
) -> None:
    """The `pages` hook of `graphtwin.api.app.create_app`: every page of `pages.ROUTERS`,
    /login and /logout, /static, `/` -> /inbox, and the answers to the flight deck's errors."""
    app.state.web_services = services
    app.state.web_sessions = session.SessionStore(settings.web_session_idle_s)
    static = resources.files("graphtwin.web").joinpath("static")
    app.mount(STATIC_PATH, StaticFiles(directory=str(static)), name="web-static")
    app.include_router(session.router)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(session.HOME, status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> RedirectResponse:
        """What a browser asks for on a page without an icon link (GraphiQL, /healthz)."""
        return RedirectResponse(f"{STATIC_PATH}/favicon.svg", status_code=301)

    app.add_exception_handler(NotSignedInError, _not_signed_in)
    app.add_exception_handler(WebActionError, _failed)


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    """A browser goes to the sign-in page (back to this page after it; after a form's POST, to
    the inbox: the action is not repeated by itself); htmx and scripts get 401."""
    if session.wants_html_page(request):
        if request.method == "GET":
            return session.login_redirect(request)
        return RedirectResponse("/login", status_code=303)
    return PlainTextResponse(str(exc), status_code=401, headers=SECURITY_HEADERS)


async def _failed(request: Request, exc: Exception) -> Response:
    """A page with the error (its status, what failed and why); to htmx, the message alone
    (static/app.js shows it in the page's alert region)."""
    assert isinstance(exc, WebActionError)
    if not session.wants_html_page(request):
        return PlainTextResponse(exc.message, status_code=exc.status, headers=SECURITY_HEADERS)
    return render(request, "error.html", status_code=exc.status, title="Error", error=exc)
