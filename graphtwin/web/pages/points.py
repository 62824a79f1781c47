"""A point: its history chart with thresholds and forecast, and its lineage (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/points/{twin_id:path}", response_class=HTMLResponse)
async def point(request: Request, twin_id: str, session: SignedIn) -> HTMLResponse:
    return render(request, "point.html", title=twin_id, twin_id=twin_id)
