"""`graphtwin simulate FILE`, `graphtwin calibrate` and `graphtwin simulation show RUN_ID`: what-if
runs on an overlay of the live twin, the zone models they use, and the runs recorded.

`simulate` loads the scenario (a mistake exits 2 naming the file, line and field, and nothing
is written), runs inaction and every action, records the run (Scenario and SimulationRun nodes,
trajectories in Parquet beside the history, an audit record) and prints the comparison. The
simulation code loads only when a command runs, so `graphtwin --version` stays fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import error_json, fail, print_json
from graphtwin.config import Settings, load_settings
from graphtwin.errors import GraphTwinError
from graphtwin.telemetry.history import open_history

if TYPE_CHECKING:
    import neo4j


T = TypeVar("T")

app = typer.Typer(help="What-if runs recorded in the twin.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
History = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="The history store the zone models are fitted on (default: the API's pipeline "
        "history, TELEMETRY_DIR/history; `graphtwin sync` writes where its bindings say).",
        file_okay=False,
    ),
]


@guarded
def simulate(
    file: Annotated[
        Path,
        typer.Argument(
            help="The scenario (YAML, docs/scenario.schema.json).",
            dir_okay=False,
            show_default=False,
        ),
    ],
    as_json: JsonFlag = False,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="Run and print, but record nothing.")
    ] = False,
    history: History = None,
) -> None:
    """Run a what-if scenario on an overlay of the live twin (never the twin itself): inaction
    and each action side by side, with topology impact, constraint violations over time,
    energy, cost, CO2 and uncertainty bands; recorded with its lineage unless --no-record."""
    try:
        from graphtwin.audit import ChangeAudit
        from graphtwin.simulation.records import record_json, record_run, result_json
        from graphtwin.simulation.run import run_scenario
        from graphtwin.simulation.scenario import load_scenario

        settings = load_settings()
        scenario = load_scenario(
            file,
            max_horizon_s=settings.simulation_max_horizon_s,
            max_steps=settings.simulation_max_steps,
        )
        audit = ChangeAudit.for_cli(settings)
        if not no_record:
            audit.check()  # a log that cannot take the record stops the run before it runs
            _migrate(settings)

        async def work(driver: neo4j.AsyncDriver, database: str) -> dict[str, Any]:
            result = await run_scenario(
                driver,
                scenario,
                database=database,
                history=open_history(settings, history),
                settings=settings,
                actor=audit.actor,
            )
            if no_record:
                return result_json(result)
            record = await record_run(
                driver,
                result,
                scenario,
                database=database,
                runs_dir=settings.simulation_runs_root,
                audit=audit,
            )
            if as_json:  # the whole result, with where it was recorded
                return {**result_json(result), "recorded": record_json(record)["trajectories"]}
            return record_json(record)

        run = _with_driver(settings, work)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    if as_json:
        print_json(run)
        return
    from graphtwin.cli.simulation_view import print_run

    print_run(run, recorded=not no_record)


@guarded
def calibrate(
    root: Annotated[
        str | None,
        typer.Option(
            "--root", help="Only the zones of this building (twin_id).", show_default=False
        ),
    ] = None,
    as_json: JsonFlag = False,
    history: History = None,
) -> None:
    """Refit every zone's thermal model (2R2C) on its history and store it; a zone whose
    history is too short gets geometry priors, flagged as not calibrated."""
    try:
        from graphtwin.simulation.models import calibrate_zones
        from graphtwin.simulation.records import model_json

        settings = load_settings()
        _migrate(settings)

        async def work(driver: neo4j.AsyncDriver, database: str) -> list[dict[str, Any]]:
            models = await calibrate_zones(
                driver,
                database=database,
                root=root,
                history=open_history(settings, history),
            )
            return [model_json(m) for m in models]

        models = _with_driver(settings, work)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    if as_json:
        print_json({"root": root, "models": models})
        return
    from graphtwin.cli.simulation_view import print_models

    print_models(models)


@app.command()
@guarded
def show(
    run_id: Annotated[str, typer.Argument(help="The run's id.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Show a recorded what-if run: its scenario, comparison, impact, first violations and the
    zone models it used (trajectories: GraphQL `simulationRun`, or the run's Parquet file)."""
    try:
        from graphtwin.errors import InputError
        from graphtwin.simulation.records import read_run, record_json

        settings = load_settings()

        async def work(driver: neo4j.AsyncDriver, database: str) -> dict[str, Any] | None:
            record = await read_run(
                driver, run_id, database=database, runs_dir=settings.simulation_runs_root
            )
            return None if record is None else record_json(record)

        run = _with_driver(settings, work)
        if run is None:
            raise InputError("no recorded what-if run has this id", entity=run_id)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    if as_json:
        print_json(run)
        return
    from graphtwin.cli.simulation_view import print_models, print_run

    print_run(run, recorded=True)
    print_models(run["models"])


def _migrate(settings: Settings) -> None:
    """The schema up to date (the run records' constraints), as every writing command has it."""
    from graphtwin.store import TwinStore

    TwinStore.migrate_schema(settings)


def _with_driver(settings: Settings, work: Callable[[neo4j.AsyncDriver, str], Awaitable[T]]) -> T:
    from graphtwin.store.connection import open_async_driver, resolve_target

    async def run() -> T:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            return await work(driver, target.database)
        finally:
            await driver.close()

    return asyncio.run(run())


def _failed(exc: GraphTwinError, as_json: bool) -> typer.Exit:
    if as_json:
        print_json(error_json(exc))
        return typer.Exit(exc.exit_code)
    return typer.Exit(fail(exc))
