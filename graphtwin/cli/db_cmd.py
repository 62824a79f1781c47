"""`graphtwin db migrate|status|reset`: the schema and contents of the graph database."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from graphtwin.audit import ChangeAudit
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.config import load_settings
from graphtwin.store import TwinStore

app = typer.Typer(
    help="Schema migrations and the state of the graph database.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print a JSON object instead of text.")]


@app.command()
@guarded
def migrate(as_json: JsonFlag = False) -> None:
    """Apply pending schema migrations (also done automatically on first use)."""
    with TwinStore.open(migrate=False) as store:
        applied = store.migrate()
    if as_json:
        print_json({"applied": [f"{m.version:04d}_{m.name}" for m in applied]})
    elif applied:
        for m in applied:
            out.print(f"applied {m.version:04d}_{m.name}")
    else:
        out.print("schema is up to date")


@app.command()
@guarded
def status(as_json: JsonFlag = False) -> None:
    """Show applied and pending migrations, constraints, indexes and what the twin holds."""
    with TwinStore.open(migrate=False) as store:
        applied = store.applied_migrations()
        pending = store.pending_migrations()
        constraints = store.constraints()
        indexes = store.indexes()
        counts = store.counts()
        history = store.version_counts()
    if as_json:
        print_json(
            {
                "applied": [
                    {
                        "version": m.version,
                        "name": m.name,
                        "checksum": m.checksum,
                        "applied_at": m.applied_at,
                    }
                    for m in applied
                ],
                "pending": [f"{m.version:04d}_{m.name}" for m in pending],
                "constraints": constraints,
                "indexes": indexes,
                "nodes": counts.nodes_by_kind,
                "relationships": counts.relationships_by_type,
                "sources": counts.sources,
                "retired": counts.retired,
                "history": history,
            }
        )
        return
    table = Table("migration", "applied at", title="Schema migrations")
    for m in applied:
        table.add_row(f"{m.version:04d}_{m.name}", m.applied_at.isoformat(timespec="seconds"))
    for m in pending:
        table.add_row(f"{m.version:04d}_{m.name}", "[yellow]pending[/]")
    out.print(table)
    out.print(
        f"{len(constraints)} constraints, {len(indexes)} indexes "
        f"({sum(1 for i in indexes if i['state'] != 'ONLINE')} not online)"
    )
    out.print(
        f"twin: {counts.nodes} nodes, {counts.relationships} relationships, "
        f"{len(counts.sources)} sources; {counts.retired} retired entities in the history"
    )
    out.print(
        f"history (docs/history.md): {history['node_versions']} node, "
        f"{history['edge_versions']} relationship and {history['source_versions']} source "
        "versions closed"
    )
    for kind, n in counts.nodes_by_kind.items():
        out.print(f"  {kind:<12} {n}")


@app.command()
@guarded
def reset(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: delete the whole twin.")] = False,
) -> None:
    """Delete every twin node, relationship and source (the schema stays); audited with what
    the twin held."""
    if not yes:
        err.print("refusing to delete the twin without --yes")
        raise typer.Exit(2)
    settings = load_settings()
    audit = ChangeAudit.for_cli(settings)
    audit.check()
    with TwinStore.open(settings) as store:
        held = store.counts()
        store.reset()
    audit.reset(
        nodes=held.nodes,
        relationships=held.relationships,
        sources=[s["source_id"] for s in held.sources],
        retired=held.retired,
    )
    out.print("twin deleted")
