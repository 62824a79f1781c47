"""The inbox: everything that needs attention, ranked by impact x urgency, and what a person
does about it.

`GET /inbox` lists the items of `inbox.graphql` (filters: `type`, `scope`), each with its score's
factors, its because chain and evidence, its status and assignee. An operator (LABEL_DRIFT) sees
one form per action on a drift issue, each with a required note: acknowledge, assign (to a
Person of the twin), accept the proposed reconciliation, dismiss as a false alarm; every item
links to a what-if on its entity. `POST /inbox/{action}` runs the action's mutation as the
signed-in key (audited by the API) after the CSRF check; a plain form gets a 303 back to the
inbox, htmx the item's new state (or a line saying it left the inbox) to swap in.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graphtwin.api.roles import Permission
from graphtwin.web.csrf import CsrfChecked
from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import graphql
from graphtwin.web.session import Session, SignedIn, local_path
from graphtwin.web.templates import render

router = APIRouter()

PAGE = 100
"""Items the page shows (the highest ranked)."""
ACTIONS = {
    "acknowledge": ("inbox_acknowledge", "Acknowledged"),
    "assign": ("inbox_assign", "Assigned"),
    "accept": ("inbox_accept", "Reconciliation accepted"),
    "dismiss": ("inbox_dismiss", "Dismissed as a false alarm"),
}
"""An action's GraphQL document and what the page says once it is done."""


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(
    request: Request, session: SignedIn, type: str = "", scope: str = ""
) -> HTMLResponse:
    items, people = await asyncio.gather(_items(request, scope), _people(request, session))
    types = sorted({i["type"] for i in items})
    shown = [i for i in items if not type or i["type"] == type]
    return render(
        request,
        "inbox.html",
        title="Inbox",
        items=shown,
        total=len(items),
        types=types,
        type=type,
        scope=scope,
        people=people,
        back=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


@router.post("/inbox/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    session: CsrfChecked,
    action: str,
    issue_id: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    person: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/inbox",
) -> Response:
    if action not in ACTIONS:
        raise WebActionError(f"POST /inbox/{action}", "no such action", status=404)
    session.require(Permission.LABEL_DRIFT, f"{action} a drift issue")
    document, done = ACTIONS[action]
    variables: dict[str, Any] = {"issueId": issue_id, "note": note}
    if action == "assign":
        variables["person"] = person
    await graphql(request, document, **variables)
    if not request.headers.get("hx-request"):
        return RedirectResponse(local_path(back), status_code=303)
    item = next((i for i in await _items(request, scope) if i["issueId"] == issue_id), None)
    if item is None:
        return render(request, "inbox_done.html", issue_id=issue_id, done=done)
    return render(
        request,
        "inbox_item.html",
        item=item,
        index=request.headers.get("hx-target", "item").removeprefix("item-"),
        people=await _people(request, session),
        scope=scope,
        back=local_path(back),
        done=done,
    )


async def _items(request: Request, scope: str) -> list[dict[str, Any]]:
    data = await graphql(request, "inbox", scope=scope or None, first=PAGE)
    items = data["inbox"]
    for item in items:
        item["evidence_text"] = json.dumps(item["evidence"], indent=2, sort_keys=True)
    return items


async def _people(request: Request, session: Session) -> list[dict[str, Any]]:
    """Whom an item can be assigned to (only read for a role that may assign)."""
    if not session.may(Permission.LABEL_DRIFT):
        return []
    return (await graphql(request, "inbox_people"))["nodes"]["items"]
