"""What-if: choose interventions, run, compare inaction with each action (placeholder)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()


@router.get("/whatif", response_class=HTMLResponse)
async def whatif(request: Request, session: SignedIn) -> HTMLResponse:
    return render(request, "whatif.html", title="What-if")


@router.get("/whatif/runs/{run_id}", response_class=HTMLResponse)
async def whatif_run(request: Request, run_id: str, session: SignedIn) -> HTMLResponse:
    return render(request, "whatif_run.html", title=f"What-if run {run_id}", run_id=run_id)
