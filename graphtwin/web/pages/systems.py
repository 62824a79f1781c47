"""The system view: a building's FEEDS network, drawn with cytoscape and written as a table.

- `/systems`: the buildings, each linking to its network.
- `/systems/{twin_id}`: the building's equipment that feeds or is fed (`graphtwin.web.network`),
  each node coloured by its state AND labelled with it, a legend, and the same information in
  a table beside the drawing (names linking to `/nodes/{id}`, what each feeds and is fed by,
  and "simulate a trip from here": `/whatif?trip=<id>`). A click on a drawn node opens it.
  Two GraphQL executions (the network, then its nodes' points and the open drift issues on
  them and their points; the second only when there is a network); the building's violations
  come after the page (`/violations/{twin_id}`, seconds on a 10,000-point building), and
  static/systems.js marks the nodes whose points observe one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import graphql
from graphtwin.web.health import css_class
from graphtwin.web.network import NETWORK_STATES, build_network
from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()

BUILDINGS_PAGE = 500
"""Buildings listed on /systems."""
EQUIPMENT_PAGE = 1000
"""Equipment of a building read for its network (the API's largest page)."""
ISSUES_PER_NODE = 100
"""Open drift issues read per node of the network and per point of one (a node's state needs
one; its reason counts them)."""


@router.get("/systems", response_class=HTMLResponse)
async def systems(request: Request, session: SignedIn) -> HTMLResponse:
    data = await graphql(request, "systems_buildings", first=BUILDINGS_PAGE)
    return render(
        request,
        "systems.html",
        title="Systems",
        buildings=data["nodes"]["items"],
        more=data["nodes"]["pageInfo"]["hasNextPage"],
    )


@router.get("/systems/{twin_id:path}", response_class=HTMLResponse)
async def system(request: Request, twin_id: str, session: SignedIn) -> HTMLResponse:
    data = await graphql(request, "systems", twinId=twin_id, first=EQUIPMENT_PAGE)
    building = data["node"]
    if building is None:
        raise WebActionError(twin_id, f"no node {twin_id!r} in the twin", status=404)
    equipment = building["descendants"]
    network = build_network(equipment)
    points: dict[str, list[dict[str, Any]]] = {}
    issues: list[dict[str, Any]] = []
    if network.nodes:
        found = await graphql(
            request, "system_points", twinIds=list(network.nodes), issues=ISSUES_PER_NODE
        )
        for node in found["nodesById"]:
            points[node["twinId"]] = node["points"]
            on = [(node["twinId"], node["driftIssues"])]
            on += [(p["twinId"], p["driftIssues"]) for p in node["points"]]
            issues += [{**issue, "twinId": twin_id} for twin_id, of in on for issue in of]
    network.judge(points, [], issues)
    return render(
        request,
        "system.html",
        title=f"{building['name'] or twin_id}: systems",
        building=building,
        network=network,
        graph=network.to_json(),
        capped=len(equipment) >= EQUIPMENT_PAGE,
        legend=[(state, css_class(state)) for state in NETWORK_STATES],
        css_class=css_class,
    )
