"""The flight deck: server-rendered pages (Jinja2 + htmx) on the API's own app, at `/`.

Pages read and act only through the API's GraphQL schema, executed in-process with the signed-in
key's context (`graphtwin.web.graphql`), so every role, limit and error rule of the API holds for
them too. `create_app` is what `graphtwin serve`, `graphtwin sync --serve` and the demo run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from graphtwin.config import Settings


def create_app(settings: Settings | None = None, **options: Any) -> FastAPI:
    """The API (`graphtwin.api.app.create_app`, same `options`) with the flight deck mounted:
    `/` (the pages), `/login`, `/logout` and `/static` beside `/graphql`.

    >>> app = create_app()  # doctest: +SKIP
    >>> uvicorn.run(app)  # doctest: +SKIP
    """
    from graphtwin.api.app import create_app as create_api
    from graphtwin.config import load_settings
    from graphtwin.web.mount import mount_flight_deck

    settings = settings or load_settings()
    return create_api(
        settings,
        pages=lambda app, services: mount_flight_deck(app, services, settings),
        **options,
    )
