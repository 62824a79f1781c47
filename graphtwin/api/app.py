"""The FastAPI application: /graphql (GraphiQL in a browser), /healthz and /metrics.

Every request but /healthz and the GraphiQL page (HTML and its scripts, no data) needs an API
key as `Authorization: Bearer <key>`; without a valid one the answer is 401. A key whose role
lacks a permission a query needs gets 403.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources

import orjson
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.context import ApiContext, ApiServices
from graphtwin.api.limits import QueryLimits
from graphtwin.api.metrics import AUTH_FAILURES, HTTP_REQUESTS, HTTP_SECONDS, NEO4J_UP, REGISTRY
from graphtwin.api.roles import Principal
from graphtwin.api.schema import build_schema
from graphtwin.config import Settings, load_settings
from graphtwin.statements import cypher
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store.connection import open_async_driver

GRAPHQL_PATH = "/graphql"
ASSETS_PATH = "/graphiql"
EXAMPLE_QUERY = """# A building, its floors and rooms, the equipment in them and their live points.
# Change the twinId to one of yours: { nodes(kind: "Building") { items { twinId name } } }
query Building($id: ID! = "bldg-a") {
  node(twinId: $id) {
    name
    children(types: [CONTAINS]) {
      name
      children(types: [CONTAINS]) {
        name
        children(types: [LOCATED_IN]) {
          name
          points { name current { value unit timestamp health } }
        }
      }
    }
  }
}
"""
HEALTH_TIMEOUT_S = 2.0


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: Request, services: ApiServices) -> Principal:
    """The caller of `request`, or a 401 for a missing, malformed, unknown or revoked key."""
    token = _bearer(request)
    principal = await services.api_keys.verify(token) if token else None
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


def _wants_explorer(request: Request) -> bool:
    """A browser asking for the GraphiQL page (GET, HTML, no query)."""
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


class TwinGraphQLRouter(GraphQLRouter):
    """strawberry's router, with graphtwin's authentication, explorer page and fast JSON."""

    def __init__(self, services: Callable[[], ApiServices]) -> None:
        async def context(request: Request, response: Response) -> ApiContext:
            shared = services()
            principal = None if _wants_explorer(request) else await authenticate(request, shared)
            ctx = ApiContext(shared, principal)
            ctx.request, ctx.response = request, response
            return ctx

        super().__init__(
            build_schema(),
            path=GRAPHQL_PATH,
            context_getter=context,
            graphql_ide="graphiql",
            # Uploads are safe from cross-site forgery here: every operation needs the
            # Authorization header, which a forged form post cannot carry.
            multipart_uploads_enabled=True,
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        page = resources.files("graphtwin.api").joinpath("static/graphiql.html").read_text("utf-8")
        page = page.replace("__ASSETS__", ASSETS_PATH)
        page = page.replace("__EXAMPLE_QUERY__", json.dumps(EXAMPLE_QUERY))
        return HTMLResponse(page)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def create_app(
    settings: Settings | None = None,
    *,
    limits: QueryLimits | None = None,
    api_key_cache_s: float = 30.0,
) -> FastAPI:
    """The API for the configured Neo4j; it connects (and migrates the schema) on startup."""
    settings = settings or load_settings()
    state: dict[str, ApiServices] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The schema (API keys, search index) is brought up to date by the sync store once.
        await asyncio.to_thread(TwinStore.migrate_schema, settings)
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        services = ApiServices(
            driver=driver,
            database=target.database,
            settings=settings,
            api_keys=ApiKeyStore(driver, target.database, cache_ttl_s=api_key_cache_s),
            limits=limits or QueryLimits(),
        )
        state["services"] = services
        try:
            yield
        finally:
            await driver.close()

    app = FastAPI(
        title="graphtwin",
        summary="The twin as GraphQL: hierarchy, flow, points, lineage, constraints.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.include_router(TwinGraphQLRouter(lambda: state["services"]))
    assets = resources.files("graphtwin.api").joinpath("static/graphiql")
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="graphiql-assets")

    app.add_middleware(MetricsMiddleware)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        services = state["services"]
        try:
            records, _, _ = await asyncio.wait_for(
                services.driver.execute_query(cypher("api/ping"), database_=services.database),
                HEALTH_TIMEOUT_S,
            )
        except Exception as exc:
            NEO4J_UP.set(0)
            return JSONResponse(
                {"status": "unavailable", "neo4j": f"unreachable: {type(exc).__name__}: {exc}"},
                status_code=503,
            )
        NEO4J_UP.set(1)
        return JSONResponse(
            {"status": "ok", "neo4j": "reachable", "migrations": records[0]["migrations"]}
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        await authenticate(request, state["services"])
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app


_ROUTES = frozenset({GRAPHQL_PATH, "/healthz", "/metrics"})


class MetricsMiddleware:
    """Counts and times every HTTP request (plain ASGI: a 2 MB answer passes through untouched,
    where a `BaseHTTPMiddleware` would copy it through a stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope["path"] if scope["path"] in _ROUTES else "other"
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_SECONDS.labels(route).observe(time.perf_counter() - started)
