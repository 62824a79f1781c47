"""Import model files into the twin: the one door the CLI (`graphtwin import`), the demo and the
API (`importModel`) all go through.

Every file is parsed before anything is written, and all of them are loaded in one transaction:
either every file lands or none does. Loading is idempotent (re-importing an unchanged file
writes nothing). The import is recorded in the twin's audit log once it has committed; an import
the log could not record is refused before it is written. A dry run writes and records nothing.

Example, importing one twin file as the user running the code::

    from pathlib import Path

    from graphtwin.audit import ChangeAudit
    from graphtwin.config import load_settings
    from graphtwin.imports import ImportFile, import_files
    from graphtwin.store import TwinStore
    from importers import IMPORTERS

    settings = load_settings()
    with TwinStore.open(settings) as store:
        done = import_files(
            store,
            [ImportFile(IMPORTERS["twin"], Path("site.yaml"))],
            audit=ChangeAudit.for_cli(settings),
            settings=settings,
        )
    print(done.reports[0].nodes_created)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphtwin.audit import ChangeAudit
from graphtwin.config import Settings, load_settings
from graphtwin.errors import InputError
from graphtwin.model import TwinGraph
from graphtwin.store import LoadReport, TwinStore
from graphtwin.store.loader import Progress
from importers import Importer
from importers.base import parse_file


@dataclass(frozen=True, slots=True)
class ImportFile:
    """A file to import with its importer. `name`: the file as the caller knows it, in the
    report and the audit record (default: the path as given; the API names an upload by the
    name it was sent with, not the server's temporary copy)."""

    importer: Importer
    path: Path
    name: str | None = None

    @property
    def shown_name(self) -> str:
        return self.name or str(self.path)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A file read into a twin graph, and how long reading it took."""

    file: ImportFile
    graph: TwinGraph
    parse_s: float


@dataclass
class ImportReport:
    """What one import did: the parsed file and the store's report of each, in order."""

    files: list[ParsedFile] = field(default_factory=list)
    reports: list[LoadReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def graphs(self) -> list[TwinGraph]:
        return [parsed.graph for parsed in self.files]


def parse_files(
    files: Sequence[ImportFile],
    *,
    settings: Settings,
    source_id: str | None = None,
    max_file_size: int | None = None,
) -> list[ParsedFile]:
    """Parse every file, as `import_files` does, before anything is written. Each must be a
    regular file of at most `max_file_size` bytes (default: its format's limit,
    `Settings.max_file_size`). `source_id` names the source of the one file given. The first
    invalid file raises its InputError naming file and line."""
    if source_id and len(files) > 1:
        raise InputError("a source id names the source of one file: give exactly one file")
    parsed = []
    for file in files:
        started = time.perf_counter()
        limit = max_file_size or settings.max_file_size(file.importer.format)
        graph = parse_file(file.importer, file.path, max_bytes=limit, source_id=source_id)
        parsed.append(ParsedFile(file, graph, time.perf_counter() - started))
    return parsed


def import_files(
    store: TwinStore,
    files: Sequence[ImportFile | ParsedFile],
    *,
    audit: ChangeAudit,
    settings: Settings | None = None,
    dry_run: bool = False,
    source_id: str | None = None,
    max_file_size: int | None = None,
    allow_retire: bool = False,
    take_over_source: bool = False,
    progress: Progress | None = None,
    loaded: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Parse `files` (those not parsed yet: see `parse_files` for `settings`, `source_id` and
    `max_file_size`), load them into `store` in one transaction with each file's diff, then
    record the import in `audit` (who imports: the CLI's user, an API key).

    `dry_run`: report what would change, write and record nothing. `allow_retire` and
    `take_over_source` lift the store's mass-retirement and source-ownership guards; the audit
    record says when they did. `progress`: called as the store writes (stage, done, total).
    `loaded`: called with the report once the load has committed (or the dry run has been
    rolled back), before the audit record is written, so that a log failing then leaves the
    import known to the caller (the CLI prints it there).

    Raises the parse's InputError (nothing written), the store's InputError (nothing written:
    MassRetirementError, SourceOwnershipError, ...) or the audit log's error; the report's
    `file` is each file's `shown_name`, its duration includes the parse.
    """
    unparsed = [file for file in files if isinstance(file, ImportFile)]
    if unparsed:
        read = iter(
            parse_files(
                unparsed,
                settings=settings or load_settings(),
                source_id=source_id,
                max_file_size=max_file_size,
            )
        )
        files = [next(read) if isinstance(file, ImportFile) else file for file in files]
    parsed = [file for file in files if isinstance(file, ParsedFile)]
    if not dry_run:
        audit.check()  # an import the log could not record is refused before it is written
    reports = store.load(
        [p.graph for p in parsed],
        dry_run=dry_run,
        progress=progress,
        diff=True,
        allow_retire=allow_retire,
        take_over_source=take_over_source,
    )
    for file, report in zip(parsed, reports, strict=True):
        report.file = file.file.shown_name
        report.duration_s = round(report.duration_s + file.parse_s, 3)
        report.warnings[:0] = file.graph.warnings
    done = ImportReport(parsed, reports, dry_run)
    if loaded is not None:
        loaded(done)
    if not dry_run:
        audit.imported([report.to_json() for report in reports])
    return done
