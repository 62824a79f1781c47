"""`graphtwin demo`: the main job. A running Neo4j, a building imported, and where to look."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.import_cmd import run_import
from graphtwin.cli.output import err, out
from graphtwin.cli.tree_cmd import hierarchy_roots, render_tree
from graphtwin.config import load_settings
from graphtwin.errors import InputError, SourceLocation
from graphtwin.neo4j_local import server
from graphtwin.store import TwinStore
from importers import IMPORTERS

DEFAULT_TWIN = Path("examples/demo-campus.yaml")


@guarded
def demo(
    twin: Annotated[Path, typer.Option("--twin", help="Twin file to import.")] = DEFAULT_TWIN,
) -> None:
    """Start Neo4j, import the sample campus twin and show how to explore it."""
    if not twin.is_file():
        raise InputError(
            "twin file not found (run the demo from the project root, or pass --twin)",
            location=SourceLocation(str(twin)),
        )
    settings = load_settings()
    if (
        not settings.uses_external_server
        and not settings.runtime_dir.joinpath("provisioned.json").is_file()
    ):
        err.print(f"Provisioning Neo4j {settings.neo4j_version} from Maven Central (once)...")
    started = server.start(settings)
    state = started.status
    how = "already running" if started.already_running else f"started in {started.start_s} s"
    out.rule("[bold]graphtwin demo")
    out.print(f"Neo4j {state.version} {state.edition} at {state.uri} ({how})")

    run_import(IMPORTERS["twin"], [twin], as_json=False, dry_run=False)

    with TwinStore.open() as store:
        exported = store.export()
        counts = store.counts()
    out.print(
        f"\nThe twin now holds {counts.nodes} nodes and {counts.relationships} "
        f"relationships from {len(counts.sources)} source(s):"
    )
    for top in hierarchy_roots(exported.graph, None)[:3]:
        out.print(render_tree(exported.graph, top, depth=3))

    password = f"$(cat {state.password_file})" if state.password_file else "$NEO4J_PASSWORD"
    out.rule("[bold]Look at it")
    out.print("  .venv/bin/graphtwin tree                       # the whole hierarchy")
    out.print("  .venv/bin/graphtwin export twin --root campus  # a subtree as a twin file")
    out.print("  .venv/bin/graphtwin db status                  # schema and contents")
    out.print(f'  cypher-shell -a {state.uri} -u {state.user} -p "{password}"')
    out.print(
        "  Neo4j Desktop / Browser: connect to the Bolt URI above with that user and password"
    )
    out.print("  .venv/bin/graphtwin neo4j stop                 # when you are done")
