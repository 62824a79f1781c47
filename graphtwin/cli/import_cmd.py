"""`graphtwin import FORMAT PATH...`: the import contract every importer follows.

All files are parsed before anything is written, and all are loaded in one transaction: either
every file lands or none does. `--json` prints one JSON object per file. Exit codes: 0 success,
2 invalid input (nothing written), 1 anything else.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import error_json, out, print_json, progress_bar
from graphtwin.errors import GraphTwinError, InputError
from graphtwin.model import TwinGraph
from graphtwin.store import LoadReport, TwinStore
from importers import IMPORTERS, Importer

app = typer.Typer(help="Import files into the twin (atomic and idempotent).", no_args_is_help=True)


def _register(importer: Importer) -> None:
    @app.command(name=importer.format, help=f"Import {importer.description}.")
    @guarded
    def command(
        paths: Annotated[list[Path], typer.Argument(help="Files to import.", show_default=False)],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object per file.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Report what would change, write nothing.")
        ] = False,
        source_id: Annotated[
            str | None, typer.Option("--source-id", help="Source id to import as (one file only).")
        ] = None,
    ) -> None:
        if source_id and len(paths) > 1:
            raise typer.BadParameter("--source-id needs exactly one file", param_hint="--source-id")
        run_import(importer, paths, as_json=as_json, dry_run=dry_run, source_id=source_id)


def run_import(
    importer: Importer,
    paths: list[Path],
    *,
    as_json: bool,
    dry_run: bool,
    source_id: str | None = None,
) -> list[LoadReport]:
    graphs: list[TwinGraph] = []
    parse_s: list[float] = []
    for path in paths:
        started = time.perf_counter()
        try:
            graphs.append(importer.parse(path, source_id=source_id))
        except GraphTwinError as exc:
            if as_json:
                print_json({"format": importer.format, "file": str(path), **error_json(exc)})
            raise
        parse_s.append(time.perf_counter() - started)
    with TwinStore.open() as store, progress_bar(not as_json) as progress:
        try:
            reports = store.load(graphs, dry_run=dry_run, progress=progress)
        except InputError as exc:
            if as_json:
                print_json({"format": importer.format, "file": exc.file, **error_json(exc)})
            raise
    for path, report, parsed in zip(paths, reports, parse_s, strict=True):
        report.file = str(path)
        report.duration_s = round(report.duration_s + parsed, 3)
        if as_json:
            print_json(report.to_json())
    if not as_json:
        _print_reports(reports)
    return reports


def _print_reports(reports: list[LoadReport]) -> None:
    table = Table(
        "file",
        "source",
        "nodes +/~/=/-",
        "rels +/~/=/-",
        "s",
        title="Import (dry run: nothing written)" if reports[0].dry_run else "Import",
    )
    for r in reports:
        table.add_row(
            r.file,
            r.source_id,
            f"{r.nodes_created}/{r.nodes_updated}/{r.nodes_unchanged}/{r.nodes_removed}",
            f"{r.rels_created}/{r.rels_updated}/{r.rels_unchanged}/{r.rels_removed}",
            f"{r.duration_s:.2f}",
        )
    out.print(table)
    out.print("+ created  ~ updated  = unchanged  - removed")
    for r in reports:
        for warning in r.warnings:
            out.print(f"[yellow]warning[/] {r.file}: {warning}")


for _importer in IMPORTERS.values():
    _register(_importer)
