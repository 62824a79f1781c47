"""The auditor's view (audit permission; any other role gets a page saying it lacks it, 403):
the twin's audit log a page at a time with its chain verification, a node's lineage and each
property's (`/audit?node=<id>`), and the log exported as CSV or JSON (`/audit/export.csv`,
`/audit/export.json`): streamed, the same records as the page's filter (kind, actor), all
pages of them, newest first."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from graphtwin.api.roles import Permission
from graphtwin.audit.events import KINDS
from graphtwin.web.graphql import graphql
from graphtwin.web.session import Session, SignedIn
from graphtwin.web.templates import SECURITY_HEADERS, render

router = APIRouter()
PAGE = 50
EXPORT_PAGE = 1_000
CSV_COLUMNS = ("seq", "at", "kind", "actor", "payload", "prev", "hash", "mac")


@router.get("/audit", response_class=HTMLResponse)
async def audit(
    request: Request,
    session: SignedIn,
    kind: str | None = None,
    actor: str | None = None,
    before: int | None = None,
    node: str | None = None,
) -> HTMLResponse:
    _require(session)
    filters = _filters(kind, actor)
    log = await graphql(request, "audit_log", first=PAGE, before=before, **filters)
    chain = await graphql(request, "audit_chain")
    lineage = (await graphql(request, "audit_lineage", twinId=node))["node"] if node else None
    return render(
        request,
        "audit.html",
        title="Audit",
        page=log["auditLog"],
        chain=chain["auditChain"],
        kinds=KINDS,
        kind=kind or "",
        actor=actor or "",
        node=node or "",
        lineage=lineage,
        export_query=_query(kind, actor),
        payloads=[json.dumps(r["payload"], sort_keys=True) for r in log["auditLog"]["records"]],
    )


@router.get("/audit/export.csv")
async def export_csv(
    request: Request, session: SignedIn, kind: str | None = None, actor: str | None = None
) -> StreamingResponse:
    _require(session)

    async def rows() -> AsyncIterator[str]:
        yield _csv_line(CSV_COLUMNS)
        async for record in _records(request, _filters(kind, actor)):
            yield _csv_line(
                [json.dumps(record["payload"], sort_keys=True) if c == "payload" else record[c]
                 for c in CSV_COLUMNS]
            )  # fmt: skip

    return _download(rows(), "text/csv; charset=utf-8", "audit.csv")


@router.get("/audit/export.json")
async def export_json(
    request: Request, session: SignedIn, kind: str | None = None, actor: str | None = None
) -> StreamingResponse:
    _require(session)

    async def document() -> AsyncIterator[str]:
        yield '{"format": "graphtwin-audit-export/1", "records": ['
        first = True
        async for record in _records(request, _filters(kind, actor)):
            yield ("" if first else ",") + "\n" + json.dumps(record, sort_keys=True)
            first = False
        yield "\n]}\n"

    return _download(document(), "application/json", "audit.json")


def _require(session: Session) -> None:
    session.require(Permission.AUDIT, "read the audit log (an auditor's or admin's key may)")


def _filters(kind: str | None, actor: str | None) -> dict[str, Any]:
    return {"kinds": [kind] if kind else None, "actor": actor or None}


def _query(kind: str | None, actor: str | None) -> str:
    from urllib.parse import urlencode

    pairs = {k: v for k, v in (("kind", kind), ("actor", actor)) if v}
    return f"?{urlencode(pairs)}" if pairs else ""


async def _records(request: Request, filters: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """Every record of the filter, newest first, a GraphQL page at a time."""
    before: int | None = None
    while True:
        data = await graphql(request, "audit_log", first=EXPORT_PAGE, before=before, **filters)
        page = data["auditLog"]
        for record in page["records"]:
            yield record
        before = page["nextBefore"]
        if before is None:
            return


def _csv_line(values: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue()


def _download(body: AsyncIterator[str], media_type: str, name: str) -> StreamingResponse:
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(body, media_type=media_type, headers=headers)
