"""The auditor's view: lineage, the audit log and its chain, exports (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "audit.html", title="Audit")
