"""`graphtwin export twin`: the twin (or a subtree of it) as a twin file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err
from graphtwin.cli.scope_options import AsOf, Root, Source
from graphtwin.cli.tree_cmd import exported as read_export
from graphtwin.store import TwinStore
from graphtwin.store.reader import ExportedTwin
from importers.twinfile import render_twin_file

app = typer.Typer(help="Export the twin to files.", no_args_is_help=True)

Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]


@app.command(name="twin")
@guarded
def twin(
    root: Root = None,
    source: Source = None,
    output: Output = None,
    as_of: AsOf = None,
) -> None:
    """Write the twin as a twin file (YAML) that `graphtwin import twin` reads back (with
    --as-of: the twin as it was then)."""
    with TwinStore.open() as store:
        exported = read_export(store, root=root, source=source, as_of=as_of)
    text = render_twin_file(exported.graph, source_id=reimport_source(exported))
    _note_left_out(exported)
    _write(text, output, len(exported.graph))


@app.command(name="brick")
@guarded
def brick(
    root: Root = None,
    source: Source = None,
    output: Output = None,
    as_of: AsOf = None,
) -> None:
    """Write the twin as Brick Turtle (current Brick namespace) that `import brick` reads back
    (with --as-of: the twin as it was then)."""
    from importers.brick.export import render_brick  # rdflib loads only for this format

    with TwinStore.open() as store:
        exported = read_export(store, root=root, source=source, as_of=as_of)
    result = render_brick(exported.graph)
    _note_left_out(exported)
    for warning in result.warnings:
        err.print(f"[yellow]note:[/] {warning}")
    _write(result.turtle, output, len(exported.graph))


def _note_left_out(exported: ExportedTwin) -> None:
    if exported.left_out:
        err.print(
            f"[yellow]note:[/] {exported.left_out} relationships leave the exported subtree "
            "and are not in the file"
        )


def _write(text: str, output: Path | None, nodes: int) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {nodes} nodes to {output}")
    else:
        typer.echo(text, nl=False)


def reimport_source(exported: ExportedTwin) -> str | None:
    """Name the source in the file when a single twin-file source defined everything, so that
    importing the export again is recognised as the same source and changes nothing."""
    if len(exported.sources) == 1 and exported.formats == {"twin"}:
        return next(iter(exported.sources))
    return None
