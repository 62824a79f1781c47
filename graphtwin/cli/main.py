"""Entry point of the `graphtwin` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

import graphtwin
from graphtwin.cli.lazy_group import lazy_group
from graphtwin.cli.lean_driver import hide_dataframes_from_driver
from graphtwin.cli.output import configure_logging, err, install_excepthook, out

hide_dataframes_from_driver()  # before a command's module imports the driver: 0.6 s less a start

COMMANDS = {
    # command groups
    "neo4j": "graphtwin.cli.neo4j_cmd:app",
    "db": "graphtwin.cli.db_cmd:app",
    "import": "graphtwin.cli.import_cmd:app",
    "export": "graphtwin.cli.export_cmd:app",
    "link": "graphtwin.cli.link_cmd:app",
    "apikey": "graphtwin.cli.apikey_cmd:app",
    "audit": "graphtwin.cli.audit_cmd:app",
    "ml": "graphtwin.cli.ml_cmd:app",
    "drift": "graphtwin.cli.drift_cmd:app",
    "virtual-building": "graphtwin.cli.virtual_cmd:app",
    "simulation": "graphtwin.cli.simulate_cmd:app",
    "forecast": "graphtwin.cli.forecast_cmd:app",
    "behaviour": "graphtwin.cli.behaviour_cmd:app",
    # single commands
    "tree": "graphtwin.cli.tree_cmd:tree",
    "nodes": "graphtwin.cli.nodes_cmd:nodes",
    "show": "graphtwin.cli.show_cmd:show",
    "diff": "graphtwin.cli.diff_cmd:diff",
    "demo": "graphtwin.cli.demo_cmd:demo",
    "serve": "graphtwin.cli.serve_cmd:serve",
    "sync": "graphtwin.cli.sync_cmd:sync",
    "bind": "graphtwin.cli.bind_cmd:bind",
    "constraints": "graphtwin.cli.constraints_cmd:constraints",
    "violations": "graphtwin.cli.constraints_cmd:violations",
    "snapshot": "graphtwin.cli.snapshot_cmd:snapshot",
    "simulate": "graphtwin.cli.simulate_cmd:simulate",
    "calibrate": "graphtwin.cli.simulate_cmd:calibrate",
}
"""Every command, by name: its module loads only when the command runs (or `--help` lists it),
so a small command does not pay for importing the API, the simulation and every importer. A new
command is one line here."""

app = typer.Typer(
    name="graphtwin",
    cls=lazy_group(COMMANDS),
    help="graphtwin: a graph-native digital twin for buildings and industrial facilities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

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
