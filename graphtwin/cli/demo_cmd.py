"""`graphtwin demo`: the main job. A running Neo4j, a building imported, and where to look."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphtwin.audit import ChangeAudit
from graphtwin.cli.ctrl_c import ctrl_c_stops
from graphtwin.cli.demo_ml import run_drift_detection
from graphtwin.cli.guard import guarded
from graphtwin.cli.import_cmd import run_import
from graphtwin.cli.link_cmd import record_linking
from graphtwin.cli.output import err, out
from graphtwin.cli.tree_cmd import render_tree
from graphtwin.config import Settings, load_settings
from graphtwin.errors import InputError, SourceLocation
from graphtwin.identity.config import matching_config
from graphtwin.identity.store import cluster, run_linking
from graphtwin.neo4j_local import server
from graphtwin.store import TwinStore
from importers import IMPORTERS

if TYPE_CHECKING:
    from graphtwin.cli.demo_virtual import VirtualOffice

EXAMPLES = Path("examples")
# A snapshot of readings so the demo has current values (and one too-warm office) before live
# telemetry is bound; written like the API's `recordPointValues`, attributed to this source.
_READ_AT = "2026-11-21T09:00:00+00:00"
SAMPLE_READINGS = [
    {"twin_id": f"urn:riverside:bldg-b/{point}", "value": value, "at": _READ_AT,
     "quality": "good", "source": "demo-sample-readings"}
    for point, value in (("ahu-2-sat", 16.5), ("ahu-2-oat", 7.2), ("vav-lab-zat", 21.2),
                         ("vav-201-zat", 27.1), ("vav-202-zat", 23.4))
]  # fmt: skip


@guarded
@ctrl_c_stops()
def demo(
    examples: Annotated[
        Path, typer.Option("--examples", help="Folder with the demo campus files.")
    ] = EXAMPLES,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="End by serving the GraphQL API.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port of the API.", min=1, max=65535)] = 8000,
    live_seconds: Annotated[
        float | None,
        typer.Option(
            help="Run the simulated devices and the sync this long (default: until Ctrl-C "
            "when serving, not at all with --no-serve).",
            min=0,
        ),
    ] = None,
    training_data: Annotated[
        Path | None,
        typer.Option(
            help="Brick models to train the drift models on (default: ../shared/data/brick).",
        ),
    ] = None,
    virtual_building: Annotated[
        bool,
        typer.Option(
            "--virtual-building/--no-virtual-building",
            help="Add EnergyPlus's medium office to the campus and run it live as a virtual "
            "building, with an AHU trip (needs graphtwin[energyplus]).",
        ),
    ] = True,
    virtual_speed: Annotated[
        float | None,
        typer.Option(
            help="Simulated seconds per wall second of the virtual building (default 3600: "
            "an hour a second).",
            min=1,
        ),
    ] = None,
) -> None:
    """Start Neo4j, import the sample campus (twin file, Brick, IFC, ISA-95, governance, and
    EnergyPlus's medium office), link what is one thing across them, start simulated OPC UA and
    Modbus devices bound to Building B and run the office as a virtual building served over OPC
    UA, with one AHU trip, and serve it all over GraphQL (Ctrl-C stops it)."""
    if virtual_building and not _energyplus_installed():
        err.print(
            "EnergyPlus is not installed (pip install 'graphtwin[energyplus]'; make demo does "
            "that): the demo goes on without the virtual building"
        )
        virtual_building = False
    jobs = [
        (IMPORTERS["twin"], examples / "demo-campus.yaml"),
        (IMPORTERS["brick"], examples / "riverside-building-b.ttl"),
        (IMPORTERS["ifc"], examples / "riverside-building-b.ifc"),
        (IMPORTERS["twin"], examples / "riverside-links.yaml"),
        (IMPORTERS["isa95"], examples / "riverside-building-b.b2mml.xml"),
        (IMPORTERS["isa95"], examples / "riverside-building-b-personnel.b2mml.xml"),
        (IMPORTERS["isa95"], examples / "riverside-building-b-maintenance.b2mml.xml"),
        (IMPORTERS["governance"], examples / "riverside-governance.yaml"),
    ]
    if virtual_building:
        from graphtwin.cli.demo_virtual import office_jobs

        model_jobs, governance_jobs = office_jobs(examples)  # governance files go last
        jobs = [*jobs[:-1], *model_jobs, jobs[-1], *governance_jobs]
    for _, path in jobs:
        if not path.is_file():
            raise InputError(
                "demo file not found (run the demo from the project root, or pass --examples)",
                location=SourceLocation(str(path)),
            )
    going_live = bool(serve or live_seconds)
    # The office's run is checked before anything is written: a bad faults file stops here.
    office = _virtual_office(examples, virtual_speed) if virtual_building and going_live else None
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

    reports = run_import(jobs, as_json=False, dry_run=False)
    # The IFC source is its project, whose twin node roots the BIM team's spatial tree.
    ifc_project = next(
        "ifc:" + r.source_id.removeprefix("ifc-project:") for r in reports if r.format == "ifc"
    )

    with TwinStore.open() as store:
        linked = run_linking(store, matching_config())
        record_linking(ChangeAudit.for_cli(settings), linked)
        store.write("api/point_values_set", rows=SAMPLE_READINGS)
        exported = store.export()
        counts = store.counts()
        ahu = cluster(store, "urn:riverside:bldg-b/ahu-2")
    out.print(
        f"\nThe twin now holds {counts.nodes} nodes and {counts.relationships} "
        f"relationships from {len(counts.sources)} source(s):"
    )
    out.print(render_tree(exported.graph, "campus", depth=3))
    out.print("\nBuilding B as its BIM team modelled it (IFC):")
    out.print(render_tree(exported.graph, ifc_project, depth=5))
    out.print(
        f"\nOne identity across standards: {len(linked.result.links)} SAME_AS links "
        f"({len(linked.result.candidates)} more pairs for review). AHU-2 is one thing in "
        f"{len(ahu)} sources:"
    )
    for member in ahu:
        out.print(f"  {member['name']:<22} {member['twin_id']}  ({', '.join(member['sources'])})")

    password = f"$(cat {state.password_file})" if state.password_file else "$NEO4J_PASSWORD"
    out.rule("[bold]Look at it")
    out.print("  .venv/bin/graphtwin tree                       # the whole hierarchy")
    out.print("  .venv/bin/graphtwin export twin --root campus  # a subtree as a twin file")
    out.print(
        "  .venv/bin/graphtwin show urn:riverside:bldg-b/ahu-2-sat  # a point and its lineage"
    )
    out.print("  .venv/bin/graphtwin export brick > campus.ttl  # the twin as Brick Turtle")
    out.print("  .venv/bin/graphtwin link cluster urn:riverside:bldg-b/lab  # one room, 2 models")
    out.print("  .venv/bin/graphtwin link candidates            # pairs left for a person")
    out.print("  .venv/bin/graphtwin db status                  # schema and contents")
    out.print(f'  cypher-shell -a {state.uri} -u {state.user} -p "{password}"')
    out.print(
        "  Neo4j Desktop / Browser: connect to the Bolt URI above with that user and password"
    )
    out.print("  .venv/bin/graphtwin violations campus          # values breaking a rule")
    out.print(
        "  .venv/bin/graphtwin constraints urn:riverside:bldg-b/office-201  # what holds, and why"
    )
    out.print("  .venv/bin/graphtwin neo4j stop                 # when you are done")
    run_drift_detection(
        settings, training_data or examples.resolve().parent.parent / "shared" / "data" / "brick"
    )
    if not virtual_building:
        out.print(
            "\nNo virtual building: no AHU trip, so no what-if after it (the demo's scenario, "
            f"{examples / 'office-medium-whatif.yaml'}, runs with the medium office)."
        )
    if going_live:
        _run_live(examples, settings, port if serve else None, live_seconds, office)


def _energyplus_installed() -> bool:
    """Whether the `graphtwin[energyplus]` extra is there (the demo runs without it)."""
    return importlib.util.find_spec("pyenergyplus") is not None


def _virtual_office(examples: Path, speed: float | None) -> VirtualOffice:
    """The medium office, its run checked (model, weather, the faults file) before going live."""
    from graphtwin.cli.demo_virtual import SPEED, VirtualOffice

    office = VirtualOffice(examples, speed=speed or SPEED)
    err.print("Preparing the virtual building (EnergyPlus checks the model and its faults)...")
    office.prepare()
    return office


def _run_live(
    examples: Path,
    settings: Settings,
    port: int | None,
    seconds: float | None,
    office: VirtualOffice | None,
) -> None:
    """Simulated devices, the virtual office (if any), the sync and (with `port`) the API, until
    Ctrl-C or `seconds`."""
    from graphtwin.api.roles import Role
    from graphtwin.cli.apikey_cmd import create_key
    from graphtwin.cli.demo_live import LiveDemo, run_live  # asyncua, pymodbus: only here

    key = create_key(Role.ADMIN, "demo").token if port is not None else None

    def ready(live: LiveDemo) -> None:
        out.rule("[bold]Live telemetry (simulated devices)")
        out.print(f"  OPC UA server  {live.opcua_endpoint}   Modbus TCP  {live.modbus_endpoint}")
        out.print("  The lab's temperature sensor freezes after 5 s: its point goes stale (15 s).")
        out.print("  Office 201 keeps warming: a threshold issue once it passes 27 degC.")
        out.print(f"  History: {live.spec.history.dir}   Audit log: {live.spec.audit_log}")
        out.print(f"  .venv/bin/graphtwin audit verify {live.spec.audit_log}")
        out.print("  .venv/bin/graphtwin snapshot --format yaml   # the twin's state, one document")
        if live.office is not None:
            out.rule("[bold]Virtual building (EnergyPlus, served over OPC UA)")
            for line in live.office.describe():
                out.print(line, markup=False)
        if port is not None and key is not None:
            _print_api(port, key)
        if live.office is not None:
            out.rule("[bold]The medium office, live")

    try:
        with TwinStore.open(settings) as store:
            sync = asyncio.run(
                run_live(
                    examples,
                    settings,
                    store,
                    port=port,
                    duration_s=seconds,
                    ready=ready,
                    office=office,
                )
            )
            issues = store.read(
                "drift/issues_list", statuses=None, types=None, twin_id=None, limit=20
            )
    except KeyboardInterrupt:
        return
    stats = sync.pipeline.stats
    out.print(
        f"\nLive values: {stats.received} received, {stats.written} written, "
        f"{sum(stats.rejected.values())} rejected. Drift issues:"
    )
    for row in issues:
        issue = row["issue"]
        out.print(
            f"  {issue['type']:<9} {issue['severity']:<8} {issue['status']:<13} "
            f"{row['twin_id']}: {issue['description']}"
        )


def _print_api(port: int, key: str) -> None:
    """How to reach the API, with a key (admin) to open GraphiQL and the flight deck."""
    from graphtwin.api.app import EXAMPLE_QUERY

    url = f"http://127.0.0.1:{port}/graphql"
    out.rule("[bold]The GraphQL API")
    out.print(f"  Flight deck: http://127.0.0.1:{port}/#api_key={key}")
    out.print(f"  GraphiQL:  {url}#api_key={key}")
    out.print(f"  API key:   {key}   (role admin; the key after # never leaves the browser)")
    out.print(f"  Health:    http://127.0.0.1:{port}/healthz   Metrics: /metrics (with the key)")
    out.print("  Example query (also pre-filled in GraphiQL):")
    out.print(EXAMPLE_QUERY, markup=False, highlight=False)
    out.print(
        f"  curl -s {url} -H 'Authorization: Bearer {key}' -H 'Content-Type: "
        """application/json' -d '{"query": "{ violations(scope: \"campus\") { description } }"}'""",
        markup=False,
    )
    out.print(
        "  Drift:  { driftIssues { twinId type severity status description } "
        "dataSources { sourceId reliability lastSuccess } }"
    )
    out.print("Serving until Ctrl-C...")
