"""The decision log and its backtest (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/decisions", response_class=HTMLResponse)
async def decisions(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "decisions.html", title="Decisions")
