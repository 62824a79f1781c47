"""`graphtwin nodes`: list the twin's nodes, by kind, by Brick class (subclasses included), in a
part of the twin."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from graphtwin.brick_hierarchy import brick_class_filter
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.cli.scope_options import Root, Source
from graphtwin.store import TwinStore


@guarded
def nodes(
    kind: Annotated[str | None, typer.Option("--kind", help="Only nodes of this kind.")] = None,
    brick_class: Annotated[
        str | None,
        typer.Option(
            "--brick-class",
            help="Only nodes of this Brick class or a subclass of it (Air_Handling_Unit finds "
            "Rooftop_Units too).",
        ),
    ] = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="--brick-class matches the class alone.")
    ] = False,
    root: Root = None,
    source: Source = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """List the twin's live nodes (twin_id, kind, name, Brick class) in twin_id order."""
    with TwinStore.open() as store:
        found = store.nodes(
            kind=kind,
            brick_classes=brick_class_filter(brick_class, exact=exact),
            root=root,
            source=source,
        )
    if as_json:
        print_json({"nodes": found})
        return
    table = Table("twin_id", "kind", "name", "brick class", title=f"{len(found)} nodes")
    for n in found:
        table.add_row(
            escape(n["twin_id"]),
            n["kind"],
            escape(n["name"] or ""),
            n["brick_class"] or "",
        )
    out.print(table)
