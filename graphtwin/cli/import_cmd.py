"""`graphtwin import FORMAT PATH...`: the import contract every importer follows.

All files are parsed before anything is written, and all are loaded in one transaction: either
every file lands or none does. `--json` prints one JSON object per file. Exit codes: 0 success,
2 invalid input (nothing written), 1 anything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from graphtwin.audit import ChangeAudit
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import error_json, out, print_diff, print_json, progress_bar
from graphtwin.config import load_settings
from graphtwin.errors import GraphTwinError, InputError
from graphtwin.imports import ImportFile, ImportReport, import_files, parse_files
from graphtwin.input_files import parse_size
from graphtwin.model import TwinGraph
from graphtwin.store import LoadReport, TwinStore
from importers import IMPORTERS, Importer
from importers.brick import BrickImporter
from importers.brick.rdf_formats import RDF_FORMATS

app = typer.Typer(help="Import files into the twin (atomic and idempotent).", no_args_is_help=True)

Paths = Annotated[list[Path], typer.Argument(help="Files to import.", show_default=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object per file.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Report what would change, write nothing.")]
SourceId = Annotated[
    str | None, typer.Option("--source-id", help="Source id to import as (one file only).")
]


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


MaxFileSize = Annotated[
    int | None,
    typer.Option(
        "--max-file-size",
        parser=_size,
        metavar="SIZE",
        help="Largest file to read, e.g. 2GB or 512MiB (default: the format's limit, "
        "GRAPHTWIN_MAX_<FORMAT>_FILE_SIZE; docs/security.md).",
        show_default=False,
    ),
]


AllowRetire = Annotated[
    bool,
    typer.Option(
        "--allow-retire",
        help="Let the import retire more of a source's entities than "
        "GRAPHTWIN_IMPORT_MAX_RETIRE_SHARE allows (audited).",
    ),
]
TakeOverSource = Annotated[
    bool,
    typer.Option(
        "--take-over-source",
        help="Write to a source another format or file lineage owns, replacing what it "
        "asserts (audited).",
    ),
]


def _register(importer: Importer) -> None:
    @app.command(name=importer.format, help=f"Import {importer.description}.")
    @guarded
    def command(
        paths: Paths,
        as_json: JsonFlag = False,
        dry_run: DryRun = False,
        source_id: SourceId = None,
        max_file_size: MaxFileSize = None,
        allow_retire: AllowRetire = False,
        take_over_source: TakeOverSource = False,
    ) -> None:
        jobs = [(importer, path) for path in paths]
        run_import(
            jobs,
            as_json=as_json,
            dry_run=dry_run,
            source_id=source_id,
            max_file_size=max_file_size,
            allow_retire=allow_retire,
            take_over_source=take_over_source,
        )


@app.command(name="brick", help=f"Import {BrickImporter.description}.")
@guarded
def brick(
    paths: Paths,
    as_json: JsonFlag = False,
    dry_run: DryRun = False,
    source_id: SourceId = None,
    max_file_size: MaxFileSize = None,
    allow_retire: AllowRetire = False,
    take_over_source: TakeOverSource = False,
    rdf_format: Annotated[
        str | None,
        typer.Option(
            "--rdf-format", help=f"One of {', '.join(RDF_FORMATS)} (default: by extension)."
        ),
    ] = None,
    infer: Annotated[
        bool, typer.Option("--infer", help="Run Brick inference (class hierarchy, inverses) first.")
    ] = False,
    validate: Annotated[
        bool, typer.Option("--validate", help="Validate against Brick's SHACL shapes; report only.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Validate, and refuse a model with violations.")
    ] = False,
) -> None:
    importer = BrickImporter(rdf_format=rdf_format, infer=infer, validate=validate, strict=strict)
    jobs = [(importer, path) for path in paths]
    run_import(
        jobs,
        as_json=as_json,
        dry_run=dry_run,
        source_id=source_id,
        max_file_size=max_file_size,
        allow_retire=allow_retire,
        take_over_source=take_over_source,
    )


def run_import(
    jobs: Sequence[tuple[Importer, Path]],
    *,
    as_json: bool,
    dry_run: bool,
    source_id: str | None = None,
    max_file_size: int | None = None,
    allow_retire: bool = False,
    take_over_source: bool = False,
) -> list[LoadReport]:
    """`graphtwin import` (and the demo's imports) through `graphtwin.imports`, as the user
    running the CLI: every file parsed before Neo4j is opened, then loaded in one transaction
    and recorded, the reports printed (a table, or one JSON object per file with `as_json`)
    before the audit record is written. `allow_retire` and `take_over_source` lift the store's
    guards (the CLI is the machine's admin); the audit record says when they did."""
    if source_id and len(jobs) > 1:
        raise typer.BadParameter("--source-id needs exactly one file", param_hint="--source-id")
    settings = load_settings()
    parsed = []
    for importer, path in jobs:
        try:
            [one] = parse_files(
                [ImportFile(importer, path)],
                settings=settings,
                source_id=source_id,
                max_file_size=max_file_size,
            )
        except GraphTwinError as exc:
            if as_json:
                print_json({"format": importer.format, "file": str(path), **error_json(exc)})
            raise
        parsed.append(one)
    with TwinStore.open(settings) as store, progress_bar(not as_json) as progress:
        try:
            done = import_files(
                store,
                parsed,
                audit=ChangeAudit.for_cli(settings),
                dry_run=dry_run,
                allow_retire=allow_retire,
                take_over_source=take_over_source,
                progress=progress,
                loaded=partial(_show, as_json=as_json),
            )
        except InputError as exc:
            if as_json:
                print_json({"file": exc.file, **error_json(exc)})
            raise
    return done.reports


def _show(done: ImportReport, *, as_json: bool) -> None:
    if as_json:
        for report, graph in zip(done.reports, done.graphs, strict=True):
            print_json({**report.to_json(), **graph.annotations})
    else:
        _print_reports(done.reports, done.graphs)


def _first_import(report: LoadReport) -> bool:
    """True when the source held nothing before: its table row already says it all."""
    r = report
    before = (r.nodes_updated, r.nodes_unchanged, r.nodes_removed, r.rels_updated,
              r.rels_unchanged, r.rels_removed)  # fmt: skip
    return not any(before)


def _print_reports(reports: list[LoadReport], graphs: list[TwinGraph]) -> None:
    table = Table(
        Column("file", overflow="fold"),
        Column("source", overflow="fold"),
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
    last = reports[-1]
    if last.selector_rels_created or last.selector_rels_deleted:
        out.print(
            f"selectors (constraints, procedures) now apply to {last.selector_rels_created} more "
            f"and {last.selector_rels_deleted} fewer entities"
        )
    for r in reports:
        if r.diff is not None and not r.diff.empty and not _first_import(r):
            print_diff(r.diff, title=f"What changed in {r.source_id}")
    for r, graph in zip(reports, graphs, strict=True):
        for warning in r.warnings:
            out.print(f"[yellow]warning[/] {r.file}: {warning}")
        if r.retire_guard_overridden:
            out.print(
                f"[yellow]retired[/] {r.nodes_retired} entities of {escape(r.source_id)}, more "
                "than the guard allows (--allow-retire)"
            )
        if r.source_taken_over:
            out.print(
                f"[yellow]taken over[/] {escape(r.source_id)} from "
                f"{escape(str(r.source_taken_over['from_format']))} (--take-over-source)"
            )
        validation = graph.annotations.get("validation")
        if isinstance(validation, dict):
            verdict = "conforms" if validation["conforms"] else "does not conform"
            out.print(
                f"validation: {r.file} {verdict} to Brick's shapes "
                f"({validation['violations']} violations, {validation['warnings']} warnings)"
            )
            for result in validation["results"][:10]:
                out.print(f"  {result['severity']}: {result['focus']}: {result['message']}")


for _importer in IMPORTERS.values():
    if _importer.format != "brick":  # has options of its own, above
        _register(_importer)
