"""Who is calling: the API key in `Authorization: Bearer <key>`, or a 401 (a 503 with
`Retry-After` when Neo4j is away and the key was never seen, so it cannot be checked)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from graphtwin.api.context import ApiServices
from graphtwin.api.metrics import AUTH_FAILURES
from graphtwin.api.roles import Principal
from graphtwin.errors import GraphAwayError


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: Request, services: ApiServices) -> Principal:
    """The caller of `request`, or a 401 for a missing, malformed, unknown or revoked key."""
    token = _bearer(request)
    try:
        principal = await services.api_keys.verify(token) if token else None
    except GraphAwayError as exc:
        raise graph_away(exc) from exc
    if principal is None:
        AUTH_FAILURES.inc()
        raise HTTPException(
            401,
            "an API key is needed: send `Authorization: Bearer <key>` "
            "(create one with `graphtwin apikey create --role viewer`)"
            if token is None
            else "the API key is not valid (unknown, revoked or mistyped)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def graph_away(exc: GraphAwayError) -> HTTPException:
    """The answer to a request that needs Neo4j while it is away: 503, and when to retry."""
    return HTTPException(
        503, exc.message, headers={"Retry-After": str(max(1, round(exc.retry_after_s)))}
    )
