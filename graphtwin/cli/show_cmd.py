"""`graphtwin show TWIN_ID`: one node, where each of its values came from, and its links."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.cli.scope_options import AsOf
from graphtwin.errors import TwinNotFoundError
from graphtwin.store import TwinStore
from graphtwin.store.lineage import NodeLineage


@guarded
def show(
    twin_id: Annotated[str, typer.Argument(help="twin_id of the node.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    as_of: AsOf = None,
) -> None:
    """Show a node's properties with their lineage (source and time) and its relationships.

    With --as-of: as they were then, a point's value the last one at or before that time in the
    value history (within GRAPHTWIN_HISTORY_LOOKBACK_S)."""
    if as_of is not None:
        lineage = _lineage_then(twin_id, as_of)
        if as_json:
            print_json(asdict(lineage))
        else:
            _print_lineage(twin_id, lineage)
        return
    with TwinStore.open() as store:
        try:
            lineage = store.lineage(twin_id)
        except TwinNotFoundError:
            history = store.retired(twin_id)
            if not history:
                raise
            _print_retired(twin_id, history, as_json)
            return
    if as_json:
        print_json(asdict(lineage))
        return
    _print_lineage(twin_id, lineage)


def _lineage_then(twin_id: str, as_of: str) -> NodeLineage:
    from graphtwin.config import load_settings
    from graphtwin.store.asof import parse_time
    from graphtwin.telemetry.history import open_history

    settings = load_settings()
    with TwinStore.open(settings) as store:
        at = store.check_as_of(parse_time(as_of, field="--as-of"))
        history = open_history(settings)
        values = history.values_at([twin_id], at, settings.history_lookback)
        return store.lineage_at(twin_id, at, values=values.get(twin_id))


def _print_lineage(twin_id: str, lineage: NodeLineage) -> None:
    out.print(f"[bold]{twin_id}[/]  :{':'.join(lineage.labels)}")
    props = Table("property", "value", "source", "changed at", title="Properties")
    for p in lineage.properties:
        when = p.changed_at.isoformat(timespec="seconds") if p.changed_at else "-"
        origin = "[dim]identity[/]" if p.key == "twin_id" else p.source_id or "[dim]not imported[/]"
        props.add_row(p.key, repr(p.value), origin, when)
    out.print(props)
    rels = Table("direction", "type", "node", "sources", title="Relationships")
    for r in lineage.relationships:
        by = ", ".join(r.sources) or (f"selector of {r.selector}" if r.selector else "")
        rels.add_row("->" if r.outgoing else "<-", r.type, r.other, by)
    out.print(rels)


def _print_retired(twin_id: str, history: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json({"twin_id": twin_id, "retired": history})
        return
    last = history[0]
    out.print(
        f"[bold]{twin_id}[/] is no longer in the twin: retired at {last['retired_at']} by "
        f"source {last['retired_by']}"
    )
    props = Table("property", "last value", title="Last known properties")
    for key, value in sorted(last["props"].items()):
        if key not in ("retired_at", "retired_by"):
            props.add_row(key, repr(value))
    out.print(props)
