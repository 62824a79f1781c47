"""`graphtwin neo4j start|stop|status`: the local Neo4j server."""

from __future__ import annotations

from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.config import load_settings
from graphtwin.neo4j_local import server

app = typer.Typer(
    help="Manage the local Neo4j server (or inspect the one NEO4J_URI names).", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print a JSON object instead of text.")]

EXIT_STOPPED = 3  # like LSB init scripts: "program is not running"


@app.command()
@guarded
def start(as_json: JsonFlag = False) -> None:
    """Provision (first time only) and start Neo4j; do nothing if it already runs."""
    settings = load_settings()
    if settings.uses_external_server:
        err.print(f"NEO4J_URI is set: using the server at {settings.neo4j_uri}; not starting one.")
    elif not settings.runtime_dir.joinpath("provisioned.json").is_file():
        err.print(f"Provisioning Neo4j {settings.neo4j_version} from Maven Central (once)...")
    result = server.start(settings)
    status = result.status
    if as_json:
        print_json(
            {
                **status.to_json(),
                "already_running": result.already_running,
                "start_s": result.start_s,
                "provisioning_s": result.provisioning_s,
            }
        )
    elif result.already_running and not status.external:
        out.print(f"Neo4j is already running at {status.uri}")
    elif not status.external:
        if result.provisioning_s is not None:
            out.print(f"Provisioned Neo4j {status.version} in {result.provisioning_s:.1f} s")
        out.print(
            f"Neo4j {status.version} {status.edition} started at {status.uri} "
            f"in {result.start_s:.1f} s"
        )
        out.print(f"  user: {status.user}   password file: {status.password_file}")
    if not status.running:
        err.print(f"[bold red]error:[/] Neo4j at {status.uri} is not reachable: {status.problem}")
        raise typer.Exit(1)


@app.command()
@guarded
def stop() -> None:
    """Stop the local Neo4j server (SIGTERM, then wait for a clean shutdown)."""
    if server.stop(load_settings()):
        out.print("Neo4j stopped")
    else:
        out.print("Neo4j was not running")


@app.command()
@guarded
def status(as_json: JsonFlag = False) -> None:
    """Show whether Neo4j runs, where, and how to connect.

    Exit code 0 when it runs, 3 when it is stopped, 1 when it crashed or does not answer.
    """
    state = server.status(load_settings())
    if as_json:
        print_json(state.to_json())
    elif state.running:
        where = "external server" if state.external else f"local server, pid {state.pid}"
        out.print(f"running: Neo4j {state.version} {state.edition} at {state.uri} ({where})")
        out.print(f"  user: {state.user}   password file: {state.password_file}")
    else:
        out.print(f"not running{f' ({state.uri})' if state.uri else ''}")
    if state.problem and not as_json:
        err.print(f"[bold red]problem:[/] {state.problem}")
    if not state.running:
        raise typer.Exit(1 if state.problem else EXIT_STOPPED)
