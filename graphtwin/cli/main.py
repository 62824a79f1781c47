"""Entry point of the `graphtwin` command."""

from __future__ import annotations

import json
from typing import Annotated

import typer

import graphtwin
from graphtwin.cli import db_cmd, export_cmd, import_cmd, neo4j_cmd
from graphtwin.cli.demo_cmd import demo
from graphtwin.cli.output import configure_logging
from graphtwin.cli.show_cmd import show
from graphtwin.cli.tree_cmd import tree
from importers.twinfile.schema import twin_file_json_schema

app = typer.Typer(
    name="graphtwin",
    help="graphtwin: a graph-native digital twin for buildings and industrial facilities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(neo4j_cmd.app, name="neo4j")
app.add_typer(db_cmd.app, name="db")
app.add_typer(import_cmd.app, name="import")
app.add_typer(export_cmd.app, name="export")
app.command()(tree)
app.command()(show)
app.command()(demo)

schema_app = typer.Typer(
    help="Print the JSON Schemas of graphtwin's file formats.", no_args_is_help=True
)
app.add_typer(schema_app, name="schema")


@schema_app.command("twin-file")
def twin_file_schema() -> None:
    """JSON Schema of the twin file (also in docs/twin-file.schema.json)."""
    typer.echo(json.dumps(twin_file_json_schema(), indent=2))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"graphtwin {graphtwin.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    configure_logging(verbose)
