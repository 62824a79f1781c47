"""The decision log: every accepted action of a what-if run, with the outcome its run
predicted and the outcome observed since in the history (how trustworthy the twin's advice has
been). Readable by every role; accepting is done on a run's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graphtwin.web.graphql import graphql
from graphtwin.web.session import SignedIn
from graphtwin.web.templates import render

router = APIRouter()
PAGE = 100


@router.get("/decisions", response_class=HTMLResponse)
async def decisions(request: Request, session: SignedIn) -> HTMLResponse:
    data = await graphql(request, "decisions", first=PAGE)
    return render(request, "decisions.html", title="Decisions", decisions=data["decisions"])
