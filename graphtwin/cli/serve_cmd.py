"""`graphtwin serve`: the GraphQL API over HTTP (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from graphtwin.api.app import GRAPHQL_PATH, create_app
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err


@guarded
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the GraphQL API: /graphql (GraphiQL in a browser), /healthz, /metrics."""
    err.print(f"graphtwin API on http://{host}:{port}{GRAPHQL_PATH} (Ctrl-C stops it)")
    uvicorn.run(create_app(), host=host, port=port, log_level=log_level, access_log=False)
