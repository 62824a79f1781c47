"""The flight deck's pages: one module per page, each exposing `router`.

A page is registered by its line below (one line per page module; the benchmark
`python -m benchmarks ui` measures every GET route of these routers).
"""

from __future__ import annotations

from fastapi import APIRouter

from graphtwin.web.pages import audit, decisions, explorer, inbox, points, systems, whatif

ROUTERS: list[APIRouter] = [
    inbox.router,
    explorer.router,
    points.router,
    systems.router,
    whatif.router,
    decisions.router,
    audit.router,
]
