"""`graphtwin sync`: run the connectors of a bindings file into the twin."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphtwin.audit import AuditKeySource
from graphtwin.cli.ctrl_c import ctrl_c_stops
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out
from graphtwin.config import load_settings
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings

if TYPE_CHECKING:
    from graphtwin.telemetry.sync import TwinSync


@guarded
@ctrl_c_stops()
def sync(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The bindings file (YAML).", exists=True)
    ],
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: Ctrl-C).", min=0)
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Also serve the GraphQL API and POST /telemetry.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the API.", min=1, max=65535)] = 8000,
) -> None:
    """Keep the twin's points current from OPC UA, Modbus TCP, replayed files and HTTP pushes,
    with history, staleness and threshold drift, and an audit log (Ctrl-C stops it)."""
    from graphtwin.telemetry.sync import TwinSync  # pandas and pyarrow load only here

    spec = read_bindings(config)
    settings = load_settings()
    with TwinStore.open(settings) as store:
        twin_sync = TwinSync(spec, store, file=str(config), audit_key=AuditKeySource.of(settings))
        err.print(
            f"Syncing {len(spec.bindings)} binding(s) from {len(spec.sources)} source(s); "
            f"history in {spec.history.dir}, audit log {spec.audit_log}"
        )
        try:
            asyncio.run(_run(twin_sync, duration, port if serve else None))
        except KeyboardInterrupt:
            err.print("stopped")
        out.print_json(json.dumps(twin_sync.pipeline.stats.as_dict()))


async def _run(twin_sync: TwinSync, duration: float | None, port: int | None) -> None:
    if port is None:
        await twin_sync.run(duration_s=duration)
        return
    from graphtwin.api.with_sync import serve_with_sync  # the API's stack: only when served
    from graphtwin.web import create_app

    err.print(f"GraphQL API on http://127.0.0.1:{port}/graphql, POST /telemetry for operators")
    err.print(f"The flight deck on http://127.0.0.1:{port}/")
    await serve_with_sync(twin_sync, port, duration_s=duration, make_app=create_app)
