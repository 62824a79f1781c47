"""`graphtwin show TWIN_ID`: one node, where each of its values came from, and its links."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.store import TwinStore


@guarded
def show(
    twin_id: Annotated[str, typer.Argument(help="twin_id of the node.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show a node's properties with their lineage (source and time) and its relationships."""
    with TwinStore.open() as store:
        lineage = store.lineage(twin_id)
    if as_json:
        print_json(asdict(lineage))
        return
    out.print(f"[bold]{twin_id}[/]  :{':'.join(lineage.labels)}")
    props = Table("property", "value", "source", "changed at", title="Properties")
    for p in lineage.properties:
        when = p.changed_at.isoformat(timespec="seconds") if p.changed_at else "-"
        origin = "[dim]identity[/]" if p.key == "twin_id" else p.source_id or "[dim]not imported[/]"
        props.add_row(p.key, repr(p.value), origin, when)
    out.print(props)
    rels = Table("direction", "type", "node", "sources", title="Relationships")
    for r in lineage.relationships:
        rels.add_row("->" if r.outgoing else "<-", r.type, r.other, ", ".join(r.sources))
    out.print(rels)
