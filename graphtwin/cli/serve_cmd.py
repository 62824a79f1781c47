"""`graphtwin serve`: the GraphQL API over HTTP (uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err
from graphtwin.telemetry.bindings import read_bindings


@guarded
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    bindings: Annotated[
        Path | None,
        typer.Option(
            help="Run this bindings file's sync too (default: an open http source).", exists=True
        ),
    ] = None,
) -> None:
    """Serve the GraphQL API: /graphql (GraphiQL in a browser), /healthz, /metrics,
    POST /telemetry for operators, and the flight deck at /."""
    import uvicorn  # the API's stack (FastAPI, strawberry) loads only when served

    from graphtwin.api.app import GRAPHQL_PATH
    from graphtwin.web import create_app

    if bindings is not None:
        read_bindings(bindings)  # a broken file is an error now, not when the server starts
    err.print(f"graphtwin API on http://{host}:{port}{GRAPHQL_PATH} (Ctrl-C stops it)")
    err.print(f"The flight deck on http://{host}:{port}/")
    app = create_app(bindings=bindings)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
