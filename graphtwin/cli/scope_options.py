"""The options that pick a part of the twin, the same in every command that takes them:
`--root` (a node and what lies below it), `--source` (what one import source defines) and
`--as-of` (the twin as it was at a past time, docs/history.md)."""

from __future__ import annotations

from typing import Annotated

import typer

Root = Annotated[
    str | None,
    typer.Option(
        "--root",
        help="Only this node and what lies below it (CONTAINS, HAS_PART, HAS_POINT, what is "
        "LOCATED_IN it).",
    ),
]
Source = Annotated[
    str | None,
    typer.Option(
        "--source",
        metavar="SOURCE_ID",
        help="Only what this import source defines (`db status` lists them): a model without a "
        "Building to root it. With --root: what it defines below the root.",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="TIME",
        help="The twin as it was at this time: ISO 8601 with Z or an offset "
        "(2026-03-01T08:00:00Z); a time without one is UTC. Refused before the twin's history "
        "begins and in the future.",
    ),
]
