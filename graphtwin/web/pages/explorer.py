"""The building explorer: the tree, and a deep link for every node (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/explorer", response_class=HTMLResponse)
async def explorer(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "explorer.html", title="Explorer")


@router.get("/nodes/{twin_id:path}", response_class=HTMLResponse)
async def node(request: Request, twin_id: str, session: SignedIn) -> HTMLResponse:
    return render(request, "node.html", title=twin_id, twin_id=twin_id)
