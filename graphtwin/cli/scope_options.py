"""The options that pick a part of the twin, the same in every command that takes them:
`--root` (a node and what lies below it) and `--source` (what one import source defines)."""

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
