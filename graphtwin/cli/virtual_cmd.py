"""`graphtwin virtual-building run|record`: an EnergyPlus reference building as the twin's reality.

`run` serves the building over OPC UA on 127.0.0.1 at a chosen speed (and writes a bindings
file for `graphtwin sync`); `record` writes the same run into a folder in the history store's
Parquet format, with `run.json` and the faults' `labels.json`. Ctrl-C ends EnergyPlus and the
server cleanly and exits 0, as `graphtwin sync` does, also when the command started with SIGINT
ignored (`ctrl_c`). EnergyPlus loads only when a command runs.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graphtwin.cli.ctrl_c import ctrl_c_stops, skip_final_collection
from graphtwin.cli.output import err, error_json, fail, out, print_json, progress_bar
from graphtwin.errors import GraphTwinError, InputError

if TYPE_CHECKING:
    from graphtwin.virtual.engine import RunStats
    from graphtwin.virtual.runs import RunRequest

app = typer.Typer(
    help="EnergyPlus reference buildings run as buildings the twin syncs with.",
    no_args_is_help=True,
)

DEFAULT_SPEED = 600.0

Model = Annotated[
    str,
    typer.Option(
        "--model",
        help="office_medium, office_small, ... (ASHRAE 90.1-2019), ref:<name> (DOE reference "
        "buildings), or a path to an .idf or .epJSON file.",
        show_default=False,
    ),
]
Weather = Annotated[
    str,
    typer.Option(
        "--weather",
        help="denver, chicago, miami, a bundled TMY3 name (usa_fl_tampa), or a path to an .epw.",
        show_default=False,
    ),
]
Start = Annotated[str, typer.Option("--start", help="First simulated day, MM-DD.")]
Days = Annotated[int, typer.Option("--days", help="Simulated days.", min=1)]
Year = Annotated[
    int, typer.Option("--year", help="Calendar year of the days (weekdays follow it).", min=1)
]
Faults = Annotated[
    Path | None,
    typer.Option("--faults", help="Faults and actions to play (YAML).", exists=True),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON lines instead of text.")]


class Protocol(StrEnum):
    """How `run` serves the building."""

    opcua = "opcua"
    bacnet = "bacnet"
    mqtt = "mqtt"


def _request(
    model: str, weather: str, start: str, days: int, year: int, faults: Path | None
) -> RunRequest:
    from graphtwin.virtual.runs import RunRequest

    return RunRequest(model, weather, start=start, days=days, year=year, faults=faults)


def _failed(exc: GraphTwinError, as_json: bool) -> typer.Exit:
    if as_json:
        print_json(error_json(exc))
        return typer.Exit(exc.exit_code)
    return typer.Exit(fail(exc))


@app.command()
@ctrl_c_stops()
def run(
    model: Model,
    weather: Weather,
    start: Start = "07-01",
    days: Days = 2,
    year: Year = 2025,
    speed: Annotated[
        float | None,
        typer.Option(
            help=f"Simulated seconds per wall second (default {DEFAULT_SPEED:g}).", min=0.001
        ),
    ] = None,
    as_fast_as_possible: Annotated[
        bool,
        typer.Option(
            "--as-fast-as-possible",
            help="No pacing; values are stamped with simulated time itself.",
        ),
    ] = False,
    faults: Faults = None,
    port: Annotated[
        int,
        typer.Option(
            help="OPC UA (TCP) or BACnet (UDP) port on 127.0.0.1 (0: a free one).", min=0, max=65535
        ),
    ] = 0,
    protocol: Annotated[
        Protocol,
        typer.Option(
            help="Serve over OPC UA, as a BACnet/IP device with COV, or publish Sparkplug B "
            "to --broker."
        ),
    ] = Protocol.opcua,
    broker: Annotated[
        str,
        typer.Option(help="The MQTT broker --protocol mqtt publishes to (mqtt://host:port)."),
    ] = "mqtt://127.0.0.1:1883",
    bindings_out: Annotated[
        Path | None,
        typer.Option("--bindings-out", help="Write a bindings file for `graphtwin sync` here."),
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option("--work-dir", help="Keep EnergyPlus's files here (default: a temp folder)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Serve a virtual building over OPC UA (or BACnet/IP, or Sparkplug B to an MQTT broker)
    until its last simulated day
    (Ctrl-C stops it).
    Values carry simulated time mapped to the wall clock at --speed."""
    try:
        if as_fast_as_possible and speed is not None:
            raise InputError("give --speed or --as-fast-as-possible, not both", entity="--speed")
        from graphtwin.virtual.runs import ServedRun, prepare_run

        prepared = prepare_run(_request(model, weather, start, days, year, faults))
        served = ServedRun(
            prepared,
            port=port,
            speed=None if as_fast_as_possible else (speed or DEFAULT_SPEED),
            bindings_out=bindings_out,
            folder=work_dir,
            protocol=protocol.value,
            broker=broker,
        )

        def ready(serving: dict[str, Any]) -> None:
            pace = f"at {serving['speed']:g}x" if serving["speed"] else "as fast as possible"
            err.print(
                f"Serving {serving['points']} point(s) of {serving['model']} "
                f"({serving['weather']}, {serving['start']}, {serving['days']} day(s)) {pace} "
                f"on {serving['endpoint']} (Ctrl-C stops it)"
            )
            if serving["bindings"]:
                err.print(f"bindings for graphtwin sync: {serving['bindings']}")
            if as_json:
                print_json(serving)

        skip_final_collection()  # the OPC UA address space is garbage once the server stops
        try:
            asyncio.run(served.run(ready))
        except KeyboardInterrupt:
            err.print("stopped")
        _report(served.stats, as_json, endpoint=served.server.endpoint)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc


@app.command()
@ctrl_c_stops()
def record(
    model: Model,
    weather: Weather,
    output: Annotated[
        Path,
        typer.Option(
            "--out", help="A new or empty folder for the recorded run.", show_default=False
        ),
    ],
    start: Start = "07-01",
    days: Days = 2,
    year: Year = 2025,
    faults: Faults = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a virtual building's run as fast as possible: Parquet in the history store's
    format, run.json, and labels.json naming every fault (the ground truth)."""
    try:
        from graphtwin.virtual.runs import prepare_run, record_run

        prepared = prepare_run(_request(model, weather, start, days, year, faults))
        err.print(
            f"Recording {len(prepared.points)} point(s) of {prepared.model.name} "
            f"({prepared.weather.name}, {start}, {days} day(s)) into {output}"
        )
        try:
            stats = record_run(prepared, output)
        except KeyboardInterrupt:
            err.print("stopped")
            return
        _report(stats, as_json, out_dir=str(output))
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc


def _report(stats: RunStats, as_json: bool, **where: str) -> None:
    summary = {"event": "finished", **where, **stats.as_dict()}
    if as_json:
        print_json(summary)
        return
    rate = summary["timesteps_per_s"]
    ended = "stopped" if stats.stopped else "finished"
    out.print(
        f"{ended}: {stats.timesteps} timestep(s) from {summary['first_sample']} to "
        f"{summary['last_sample']} in {summary['wall_s']} s"
        + (f" ({rate} timesteps/s)" if rate else "")
    )


# --- evaluation data sets (graphtwin virtual-building datasets) ---------------------------------


@app.command()
def datasets(
    output: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder of the data set (default: ~/.cache/graphtwin/datasets, or under "
            "$XDG_CACHE_HOME).",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            help="Runs recorded at once, each in its own process (default: the usable CPUs).",
            min=1,
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Record only these runs: names or patterns (office_small-*), repeated or "
            "comma-separated. --dry-run lists the names.",
            show_default=False,
        ),
    ] = None,
    spec_file: Annotated[
        Path | None,
        typer.Option(
            "--spec",
            help="A data-set spec (YAML) instead of the standard one (docs/energyplus.md).",
            exists=True,
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the runs and which would be recorded.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Record the evaluation data sets: the medium and small office in Denver, Chicago and
    Miami, six summer and six winter weeks, each clean and with generated faults. Runs already
    recorded for the same spec are kept (cache); Ctrl-C keeps the completed runs."""
    import os

    try:
        from graphtwin.virtual.dataset_build import DatasetEvent, build_datasets
        from graphtwin.virtual.datasets import (
            default_datasets_dir,
            read_dataset_spec,
            standard_spec,
        )

        spec = read_dataset_spec(spec_file) if spec_file else standard_spec()
        folder = output or default_datasets_dir()
        names = [name.strip() for value in only or [] for name in value.split(",") if name.strip()]
        workers = jobs or len(os.sched_getaffinity(0))
        with progress_bar(not as_json) as progress:

            def on_event(event: DatasetEvent) -> None:
                if event.kind == "started" and event.total:
                    err.print(f"Recording {event.total} run(s) into {folder}, {workers} at a time")
                    progress("runs", 0, event.total)
                elif event.kind in ("recorded", "failed"):
                    progress("runs", event.done, event.total)
                    what = "recorded" if event.kind == "recorded" else f"FAILED: {event.detail}"
                    err.print(f"[{event.done}/{event.total}] {event.run} {what}")

            try:
                report = build_datasets(
                    spec, folder, jobs=workers, only=names, dry_run=dry_run, on_event=on_event
                )
            except KeyboardInterrupt:
                err.print("stopped; the completed runs are kept: run the command again to go on")
                raise typer.Exit(130) from None
        _datasets_report(report, dry_run=dry_run, as_json=as_json)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc


def _datasets_report(report: Any, *, dry_run: bool, as_json: bool) -> None:
    manifest = report.manifest
    summary = {
        "event": "dry-run" if dry_run else "finished",
        "out": str(report.out),
        "manifest": None if dry_run else str(report.out / "manifest.json"),
        "spec_hash": manifest["spec_hash"],
        "recorded": report.recorded,
        "cached": report.cached,
        "pending": report.pending if dry_run else [],
        "runs_complete": manifest["runs_complete"],
        "runs_total": manifest["runs_total"],
        "bytes": manifest["bytes"],
        "wall_s": round(report.wall_s, 1),
        "fault_totals_planned": manifest["fault_totals_planned"],
        "fault_totals_recorded": manifest["fault_totals_recorded"],
    }
    if as_json:
        print_json(summary)
        return
    if dry_run:
        for run in manifest["runs"]:
            todo = "record" if run["name"] in report.pending else "-"
            out.print(f"{run['name']:<40} {run['status']:<9} {todo}")
        out.print(f"{len(report.pending)} run(s) to record into {report.out}")
    else:
        out.print(
            f"{len(report.recorded)} run(s) recorded, {len(report.cached)} already there, in "
            f"{summary['wall_s']} s; {manifest['runs_complete']} of {manifest['runs_total']} runs "
            f"complete ({manifest['bytes'] / 1e6:.1f} MB) in {report.out}"
        )
    totals = manifest["fault_totals_recorded" if not dry_run else "fault_totals_planned"]
    if totals:
        shown = ", ".join(f"{kind} {count}" for kind, count in totals.items())
        out.print(f"faults {'planned' if dry_run else 'recorded'}: {shown}")
