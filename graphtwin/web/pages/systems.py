"""A building's FEEDS network drawn as a graph (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/systems", response_class=HTMLResponse)
async def systems(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "systems.html", title="Systems")


@router.get("/systems/{twin_id:path}", response_class=HTMLResponse)
async def system(request: Request, twin_id: str, session: SignedIn) -> HTMLResponse:
    return render(request, "system.html", title=twin_id, twin_id=twin_id)
