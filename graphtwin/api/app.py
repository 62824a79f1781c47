"""The FastAPI application: /graphql (GraphiQL in a browser), /healthz and /metrics.

Every request but /healthz and the GraphiQL page (HTML and its scripts, no data) needs an API
key as `Authorization: Bearer <key>`; without a valid one the answer is 401. A key whose role
lacks a permission a query needs gets 403.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import orjson
from cross_web import HTTPException as StrawberryHTTPException  # what strawberry answers with
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.fastapi import GraphQLRouter

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.auth import authenticate
from graphtwin.api.body_limits import BodyLimitMiddleware, BodyLimits
from graphtwin.api.context import ApiContext, ApiServices
from graphtwin.api.json_body import json_object
from graphtwin.api.limits import QueryLimits
from graphtwin.api.metrics import HTTP_REQUESTS, HTTP_SECONDS, NEO4J_UP, REGISTRY
from graphtwin.api.schema import build_schema
from graphtwin.api.telemetry_route import push_telemetry
from graphtwin.audit import AuditKeySource
from graphtwin.config import Settings, load_settings
from graphtwin.errors import MalformedRequestError
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store import statement_runner as runner
from graphtwin.store.connection import open_async_driver
from graphtwin.store.graph_wait import GraphWait
from graphtwin.telemetry.bindings import open_http_bindings, read_bindings
from graphtwin.telemetry.sync import TwinSync

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
            response.headers["X-Request-Id"] = ctx.request_id  # errors name it; so does the log
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

    def parse_json(self, data: str | bytes) -> dict[str, object]:
        """A JSON body, a multipart `operations` or `map`, GET `variables`: each must be an
        object; anything else (`"hello"`, `123`, `null`, a list) is a 400 saying so."""
        try:
            return json_object(data, "a GraphQL request")
        except MalformedRequestError as exc:
            raise StrawberryHTTPException(400, exc.message) from exc


def create_app(
    settings: Settings | None = None,
    *,
    limits: QueryLimits | None = None,
    api_key_cache_s: float | None = None,
    bindings: Path | None = None,
    sync: TwinSync | None = None,
    pages: Callable[[FastAPI, Callable[[], ApiServices]], None] | None = None,
) -> FastAPI:
    """The API for the configured Neo4j; it connects (and migrates the schema) on startup.

    `pages(app, services)` mounts more routes on the app (the flight deck, `graphtwin.web`),
    with the services once the app has started; the GraphQL schema is `app.state.schema`.

    Live values: with `sync` the API shares a running sync's pipeline (`graphtwin sync --serve`,
    the demo); otherwise it runs the sync of the `bindings` file itself, or, without one, an
    open http source (`POST /telemetry`) with its history under the telemetry dir."""
    settings = settings or load_settings()
    state: dict[str, ApiServices] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _telemetry(settings, bindings, sync) as telemetry:
            target = resolve_target(settings)
            driver = await open_async_driver(target)
            graph = GraphWait(settings.api_neo4j_wait_s, settings.api_neo4j_retry_s)
            api_keys = ApiKeyStore(
                driver,
                target.database,
                cache_ttl_s=api_key_cache_s or settings.api_key_cache_s,
                graph=graph,
            )
            await api_keys.refresh()  # every key known from the start, should Neo4j go away
            services = ApiServices(
                driver=driver,
                database=target.database,
                settings=settings,
                api_keys=api_keys,
                limits=limits or QueryLimits.from_settings(settings),
                telemetry=telemetry,
                graph=graph,
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
    graphql = TwinGraphQLRouter(lambda: state["services"])
    app.state.schema = graphql.schema  # the pages run their documents through it in-process
    app.include_router(graphql)
    assets = resources.files("graphtwin.api").joinpath("static/graphiql")
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="graphiql-assets")

    app.add_middleware(BodyLimitMiddleware, limits=BodyLimits.of(settings))
    app.add_middleware(MetricsMiddleware)  # outermost: counts the 413s too

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        services = state["services"]
        try:
            records = await asyncio.wait_for(
                runner.query_async(
                    services.driver, "api/ping", database_=services.database, read_=True
                ),
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

    @app.post("/telemetry", include_in_schema=False)
    async def telemetry(request: Request, wait: bool = False) -> JSONResponse:
        return await push_telemetry(request, state["services"], wait=wait)

    if pages is not None:
        pages(app, lambda: state["services"])

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        await authenticate(request, state["services"])
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app


@asynccontextmanager
async def _telemetry(
    settings: Settings, bindings: Path | None, running: TwinSync | None
) -> AsyncIterator[TwinSync]:
    """The sync the API serves: the one given, or one it runs itself for its lifetime."""
    if running is not None:
        await asyncio.to_thread(TwinStore.migrate_schema, settings)
        yield running
        return
    spec = (
        read_bindings(bindings)
        if bindings
        else open_http_bindings(settings.telemetry_root, settings.audit_log_path)
    )
    # The schema (API keys, search index, telemetry) is brought up to date by this store.
    store = await asyncio.to_thread(TwinStore.open, settings)
    try:
        sync = await asyncio.to_thread(
            TwinSync,
            spec,
            store,
            file=str(bindings or "built-in"),
            audit_key=AuditKeySource.of(settings),
        )
        task = asyncio.create_task(sync.run())
        try:
            yield sync
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        store.close()


_ROUTES = frozenset({GRAPHQL_PATH, "/healthz", "/metrics", "/telemetry"})


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
