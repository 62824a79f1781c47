"""The one Jinja2 environment of the flight deck, its helpers, and `render`.

Autoescaping is on for every template. Every template sees:
- `user` (the signed-in `Principal`, None on the sign-in page), `can("label_drift")` (whether
  its role has that permission: show an action's button only then), `csrf_token` (for forms);
- `nav` (the main navigation) and `path` (the request's path);
- `node_url(twin_id)`, `point_url(twin_id)`, `system_url(twin_id)`: links to a node's page;
- the filter `when`: a timestamp (ISO text or datetime) as `2026-12-07 20:33 UTC`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

FRAGMENT = "fragment"
"""The tag of a route that answers an htmx fragment a page loads once shown (a tree level, a
slow section), not a page of its own: `@router.get(..., tags=[FRAGMENT])`."""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # pages show one key's view of the twin: never cached
}


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    also: tuple[str, ...] = ()
    """Other path prefixes that belong to this section (a node's page to the explorer)."""

    def current(self, path: str) -> bool:
        return any(path == p or path.startswith(f"{p}/") for p in (self.href, *self.also))


NAV = (
    NavItem("Inbox", "/inbox"),
    NavItem("Explorer", "/explorer", ("/nodes", "/points")),
    NavItem("Systems", "/systems"),
    NavItem("What-if", "/whatif"),
    NavItem("Decisions", "/decisions"),
    NavItem("Audit", "/audit"),
)


def node_url(twin_id: str) -> str:
    """`/nodes/<twin id>`, the id escaped: the deep link of any node."""
    return f"/nodes/{quote(str(twin_id), safe='')}"


def point_url(twin_id: str) -> str:
    return f"/points/{quote(str(twin_id), safe='')}"


def system_url(twin_id: str) -> str:
    """A building's FEEDS network."""
    return f"/systems/{quote(str(twin_id), safe='')}"


def when(value: str | datetime | None) -> str:
    """A timestamp for people, in UTC to the minute; '' for None, the text itself if it is not
    a timestamp.

    >>> when("2026-12-07T20:33:36.123+00:00")
    '2026-12-07 20:33 UTC'
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


ENV = Environment(
    loader=PackageLoader("graphtwin.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals.update(nav=NAV, node_url=node_url, point_url=point_url, system_url=system_url)
ENV.filters["when"] = when


def render(
    request: Request, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """`templates/<template>` filled with `values` and the request's session, as an HTML
    response with the flight deck's security headers (CSP: scripts and styles from self only).
    """
    session = getattr(request.state, "session", None)
    html = ENV.get_template(template).render(
        user=session.principal if session else None,
        can=session.may if session else (lambda permission: False),
        csrf_token=session.csrf_token if session else "",
        path=request.url.path,
        **values,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
