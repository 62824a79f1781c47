"""`graphtwin diff FORMAT OLD NEW`: what changed between two versions of a model, no database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_diff, print_json
from graphtwin.config import load_settings
from graphtwin.twin_diff import diff_graphs
from importers import IMPORTERS
from importers.base import parse_file


@guarded
def diff(
    format: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(IMPORTERS)}.", show_default=False)
    ],
    old: Annotated[Path, typer.Argument(help="The earlier version.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The later version.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Compare two versions of a model file without writing anything."""
    importer = IMPORTERS.get(format)
    if importer is None:
        raise typer.BadParameter(f"unknown format {format!r}", param_hint="FORMAT")
    limit = load_settings().max_file_size(importer.format)
    changes = diff_graphs(
        parse_file(importer, old, max_bytes=limit), parse_file(importer, new, max_bytes=limit)
    )
    if as_json:
        print_json({"format": format, "old": str(old), "new": str(new), **changes.to_json()})
    elif changes.empty:
        out.print("no differences")
    else:
        print_diff(changes, title=f"{old} -> {new}", limit=50)
