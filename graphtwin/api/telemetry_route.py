"""`POST /telemetry`: values pushed by a BMS or gateway (operator role) into the ingest pipeline.

Body (docs/api.md, JSON Schema in docs/telemetry-push.schema.json): `{"source": "<http source
id>", "readings": [{"point": "<twin_id>" | "ref": "<timeseries id>", "value": 21.5, "at":
"2026-11-21T09:00:00Z", "quality": "good"}]}`. The answer says how many were accepted (current
or backfilled) and why the others were not (per reason, and the first 100 by index). A reading
that says `timestamp` (the old name of `at`) is accepted and answered with `Deprecation: true`
and a `Warning: 299` header. `?wait=true` answers once the batch is in the graph (200);
otherwise 202 at once.

A body that is not JSON, or JSON that is not an object (`"hello"`, `123`, `null`, a list), is a
400; an object that breaks the push's rules is a 422 naming the readings. While Neo4j is away
(docs/security.md) the push waits for it at most `api_neo4j_wait_s`: values of points already
known are taken into the pipeline's bounded buffer (202; with `?wait=true` a 503 with
`Retry-After` that says they were accepted and wait for the graph), and a push that names a
point never seen is a 503 with `Retry-After`, nothing taken.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from graphtwin.api.auth import authenticate, graph_away
from graphtwin.api.context import ApiServices
from graphtwin.api.json_body import json_object
from graphtwin.api.roles import Permission
from graphtwin.audit import api_key_actor
from graphtwin.errors import GraphAwayError, MalformedRequestError, UnknownSourceError
from graphtwin.telemetry.http_ingest import DEPRECATED_NAMES, TelemetryPush


async def push_telemetry(request: Request, services: ApiServices, *, wait: bool) -> JSONResponse:
    principal = await authenticate(request, services)
    if not principal.may(Permission.WRITE_VALUES):
        raise HTTPException(403, f"role {principal.role} may not write values (operator may)")
    sync = services.telemetry
    if sync is None:
        raise HTTPException(503, "this server runs no telemetry pipeline")
    try:
        body = json_object(await request.body(), "the telemetry push")
    except MalformedRequestError as exc:
        return JSONResponse({"error": "malformed telemetry push", "detail": exc.message}, 400)
    try:
        push = TelemetryPush.model_validate(body)
    except ValidationError as exc:
        problems = [
            {"at": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in exc.errors()[:20]
        ]
        return JSONResponse({"error": "invalid telemetry push", "problems": problems}, 422)
    actor = api_key_actor(principal.key_id, principal.name)
    try:
        result = await sync.http.push(push, actor, graph=services.graph)
    except UnknownSourceError as exc:
        raise HTTPException(404, str(exc)) from exc
    except GraphAwayError as exc:
        raise graph_away(exc) from exc
    headers = _deprecation_headers(push.deprecated_names())
    if not wait:
        return JSONResponse(result, 202, headers=headers)
    try:
        await sync.http.flush(services.graph)
    except GraphAwayError as exc:
        # Accepted, and buffered until Neo4j answers again: the caller need not send it again.
        result |= {"written": False, "detail": exc.message}
        retry = {"Retry-After": str(max(1, round(exc.retry_after_s)))}
        return JSONResponse(result, 503, headers=headers | retry)
    result["written"] = True
    return JSONResponse(result, 200, headers=headers)


def _deprecation_headers(names: list[str]) -> dict[str, str]:
    if not names:
        return {}
    renamed = ", ".join(f"{old} is now {DEPRECATED_NAMES[old]}" for old in names)
    return {
        "Deprecation": "true",
        "Warning": f'299 graphtwin "deprecated field names in readings: {renamed}"',
    }
