"""The inbox: everything that needs attention, ranked (placeholder: its helper replaces it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "inbox.html", title="Inbox")
