"""The building explorer: the tree from site to point, search, and a page for every node.

- `/explorer`: the sites (and buildings under no site) as the tree's first level; each level
  opens with htmx (`/explorer/children/{twin_id}`, one page of children at a time, with a
  "more" button), so a 10,000-point building is never sent whole. `?q=` searches names and ids.
- `/nodes/{twin_id}`: the deep link of any node: its properties, where it sits (breadcrumb),
  what it holds, its points' live values (state as text and colour), its constraint state
  (effective constraints, open drift, and the violations at or below it, loaded after the
  page from `/violations/{twin_id}`) and links to the point, system and what-if views. An
  unknown twin id is a 404 page naming it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import graphql
from graphtwin.web.health import css_class, shown_value, state_of
from graphtwin.web.session import SignedIn
from graphtwin.web.templates import FRAGMENT, render

router = APIRouter()

ROOTS_PAGE = 200
"""Sites and buildings listed on the first level."""
TREE_PAGE = 50
"""Children shown when a tree level opens; "more" asks for `MORE_FACTOR` times as many."""
MORE_FACTOR = 4
NODE_PAGE = 200
"""Children listed on a node's page (a link asks for up to `MAX_PAGE`)."""
MAX_PAGE = 1000
"""The API's largest page (`first`)."""
SEARCH_PAGE = 50
VIOLATIONS_SHOWN = 50
"""Violations listed on a page (all of them count)."""


@router.get("/explorer", response_class=HTMLResponse)
async def explorer(
    request: Request, session: SignedIn, q: str = Query("", max_length=200)
) -> HTMLResponse:
    roots = await graphql(request, "explorer_roots", first=ROOTS_PAGE)
    sites = roots["sites"]["items"]
    loose = [b for b in roots["buildings"]["items"] if not _under_site(b, sites)]
    found = None
    text = q.strip()
    if text:
        found = [_row(n) for n in (await graphql(request, "explorer_search", text=text,
                                                 first=SEARCH_PAGE))["search"]]  # fmt: skip
    return render(
        request,
        "explorer.html",
        title="Explorer",
        roots=[_row(n) for n in [*sites, *loose]],
        more_roots=roots["sites"]["pageInfo"]["hasNextPage"]
        or roots["buildings"]["pageInfo"]["hasNextPage"],
        query=text,
        found=found,
        search_page=SEARCH_PAGE,
    )


@router.get("/explorer/children/{twin_id:path}", response_class=HTMLResponse, tags=[FRAGMENT])
async def children(
    request: Request, twin_id: str, session: SignedIn, first: int = Query(TREE_PAGE, ge=1)
) -> HTMLResponse:
    """One level of the tree (an htmx fragment): a page of `twin_id`'s children."""
    first = min(first, MAX_PAGE)
    _, rows, more = await _with_children(request, "explorer_children", twin_id, first)
    return render(
        request,
        "explorer_children.html",
        twin_id=twin_id,
        rows=rows,
        more=more,
        next_first=min(first * MORE_FACTOR, MAX_PAGE),
        at_most=first >= MAX_PAGE,
    )


@router.get("/nodes/{twin_id:path}", response_class=HTMLResponse)
async def node(
    request: Request, twin_id: str, session: SignedIn, first: int = Query(NODE_PAGE, ge=1)
) -> HTMLResponse:
    first = min(first, MAX_PAGE)
    found, shown, more = await _with_children(request, "node", twin_id, first)
    state = state_of(found["current"]) if found["kind"] == "Point" else None
    return render(
        request,
        "node.html",
        title=found["name"] or twin_id,
        node=found,
        state=state,
        state_class=css_class(state) if state else "",
        value=shown_value(found["current"]),
        trail=list(reversed(found["ancestors"])),
        parts=[r for r in shown if r["kind"] != "Point"],
        points=[r for r in shown if r["kind"] == "Point"],
        more=more,
        next_first=MAX_PAGE if first < MAX_PAGE else None,
        constraints=found["effectiveConstraints"],
        issues=found["driftIssues"],
        properties=sorted((found["properties"] or {}).items()),
        origin={k: v for k, v in (found["origin"] or {}).items() if v and k != "brickClass"},
    )


@router.get("/violations/{twin_id:path}", response_class=HTMLResponse, tags=[FRAGMENT])
async def violations(request: Request, twin_id: str, session: SignedIn) -> HTMLResponse:
    """The current values at or below a node that break a constraint (an htmx fragment the node
    and system pages load once shown: on a large building the check takes seconds)."""
    found = (await graphql(request, "node_violations", twinId=twin_id))["violations"]
    marks = [{"twinId": v["twinId"], "point": v.get("point")} for v in found]
    return render(request, "violations.html", twin_id=twin_id, violations=found, marks=marks,
                  shown=VIOLATIONS_SHOWN)  # fmt: skip


async def _with_children(
    request: Request, document: str, twin_id: str, first: int
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The node `document` answers for `twin_id` (404 when there is none), the first `first`
    of its children as rows, and whether more follow (one more is asked to know)."""
    data = await graphql(request, document, twinId=twin_id, first=first + 1)
    node = _found(data["node"], twin_id)
    rows = [_row(c) for c in node["children"]]
    return node, rows[:first], len(rows) > first


def _found(node: dict[str, Any] | None, twin_id: str) -> dict[str, Any]:
    if node is None:
        raise WebActionError(twin_id, f"no node {twin_id!r} in the twin", status=404)
    return node


def _under_site(building: dict[str, Any], sites: list[dict[str, Any]]) -> bool:
    parent = building.get("parent")
    return parent is not None and any(s["twinId"] == parent["twinId"] for s in sites)


def _row(node: dict[str, Any]) -> dict[str, Any]:
    """A node as a line of the tree or a table: its state only when it is a point."""
    point = node.get("kind") == "Point"
    current = node.get("current")
    state = state_of(current) if point else None
    return {
        "twin_id": node["twinId"],
        "name": node.get("name") or node["twinId"],
        "kind": node.get("kind") or "",
        "point": point,
        "state": state,
        "state_class": css_class(state) if state else "",
        "value": shown_value(current),
        "timestamp": (current or {}).get("timestamp"),
        "parent": node.get("parent"),
    }
