"""Entry point of the `graphtwin` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

import graphtwin
from graphtwin.cli import (
    apikey_cmd,
    audit_cmd,
    db_cmd,
    export_cmd,
    import_cmd,
    link_cmd,
    ml_cmd,
    neo4j_cmd,
    simulate_cmd,
    virtual_cmd,
)
from graphtwin.cli.constraints_cmd import constraints, violations
from graphtwin.cli.demo_cmd import demo
from graphtwin.cli.diff_cmd import diff
from graphtwin.cli.nodes_cmd import nodes
from graphtwin.cli.output import configure_logging, err, install_excepthook, out
from graphtwin.cli.serve_cmd import serve
from graphtwin.cli.show_cmd import show
from graphtwin.cli.snapshot_cmd import snapshot
from graphtwin.cli.sync_cmd import sync
from graphtwin.cli.tree_cmd import tree

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
app.add_typer(link_cmd.app, name="link")
app.add_typer(apikey_cmd.app, name="apikey")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(ml_cmd.app, name="ml")
app.add_typer(virtual_cmd.app, name="virtual-building")
app.add_typer(simulate_cmd.app, name="simulation")
app.command()(tree)
app.command()(nodes)
app.command()(show)
app.command()(diff)
app.command()(demo)
app.command()(serve)
app.command()(sync)
app.command()(constraints)
app.command()(violations)
app.command()(snapshot)
app.command()(simulate_cmd.simulate)
app.command()(simulate_cmd.calibrate)

schema_app = typer.Typer(
    help="Print the JSON Schemas of graphtwin's file formats.", no_args_is_help=True
)
app.add_typer(schema_app, name="schema")


@schema_app.command("twin-file")
def twin_file_schema() -> None:
    """JSON Schema of the twin file (also in docs/twin-file.schema.json)."""
    from importers.twinfile.schema import twin_file_json_schema

    typer.echo(json.dumps(twin_file_json_schema(), indent=2))


@schema_app.command("governance")
def governance_schema() -> None:
    """JSON Schema of the governance file (also in docs/governance.schema.json)."""
    from importers.governance.schema import governance_json_schema

    typer.echo(json.dumps(governance_json_schema(), indent=2))


@schema_app.command("bindings")
def bindings_schema() -> None:
    """JSON Schema of the bindings file (also in docs/bindings.schema.json)."""
    from graphtwin.telemetry.bindings import bindings_json_schema

    typer.echo(json.dumps(bindings_json_schema(), indent=2))


@schema_app.command("faults")
def faults_schema() -> None:
    """JSON Schema of the virtual building's faults file (also in docs/faults.schema.json)."""
    from graphtwin.virtual.faults.spec import faults_json_schema

    typer.echo(json.dumps(faults_json_schema(), indent=2))


@schema_app.command("scenario")
def scenario_schema() -> None:
    """JSON Schema of the what-if scenario file (also in docs/scenario.schema.json)."""
    from graphtwin.simulation.scenario import scenario_json_schema

    typer.echo(json.dumps(scenario_json_schema(), indent=2))


@schema_app.command("telemetry-push")
def telemetry_push_schema() -> None:
    """JSON Schema of the body of POST /telemetry (also in docs/telemetry-push.schema.json)."""
    from graphtwin.telemetry.http_ingest import telemetry_push_json_schema

    typer.echo(json.dumps(telemetry_push_json_schema(), indent=2))


@schema_app.command("graphql")
def graphql_schema() -> None:
    """The GraphQL schema of the API in SDL (also in docs/schema.graphql)."""
    from graphtwin.api.schema import build_schema  # strawberry loads only when asked for

    typer.echo(build_schema().as_str())


@schema_app.command("brick-classes")
def brick_classes(
    check: Annotated[bool, typer.Option("--check", help="Fail if the file is stale.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Default: ontologies/brick_classes.json.")
    ] = None,
) -> None:
    """Regenerate the Brick class -> kind table from the ontology brickschema ships."""
    from importers.brick import class_table  # rdflib and brickschema load only here

    path = output or class_table.shipped_table_path()
    report = class_table.build_class_report(class_table.load_brick_ontology())
    text = class_table.render(report.table)
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            err.print(f"{path} is out of date; run `{class_table.GENERATED_BY}`")
            raise typer.Exit(1)
        out.print(f"{path} is up to date")
        return
    path.write_text(text, encoding="utf-8")
    out.print(
        "\n".join([f"wrote {path} ({len(text.encode())} bytes)", *class_table.summary(report)])
    )


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
    install_excepthook()
