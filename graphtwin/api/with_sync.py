"""The API and a running sync in one event loop (`graphtwin sync --serve`, the demo): the API's
`POST /telemetry` feeds the sync's pipeline, and either one stopping stops both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from graphtwin.api.app import create_app
from graphtwin.config import Settings
from graphtwin.telemetry.sync import TwinSync


async def serve_with_sync(
    sync: TwinSync,
    port: int,
    *,
    duration_s: float | None,
    settings: Settings | None = None,
    make_app: Callable[..., FastAPI] = create_app,
) -> None:
    """Serve `make_app(settings, sync=sync)` (the API's `create_app`, or the flight deck's
    `graphtwin.web.create_app`, which the API may not import) beside the running sync."""
    server = uvicorn.Server(
        uvicorn.Config(
            make_app(settings, sync=sync), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    syncing = asyncio.create_task(sync.run(duration_s=duration_s))
    serving = asyncio.create_task(server.serve())
    done: set[asyncio.Task[None]] = set()
    try:
        done, _ = await asyncio.wait({syncing, serving}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Cancelled too (Ctrl-C): the sync closes its connectors before the caller goes on to
        # stop what they read (the demo's simulated devices), or their loops log crashes.
        server.should_exit = True
        syncing.cancel()
        await asyncio.gather(syncing, serving, return_exceptions=True)
    for task in done:
        if not task.cancelled():
            task.result()  # a failure of either is the caller's failure
