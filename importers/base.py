"""What every importer provides, the check every input file passes before it is read, and the
file facts every import records."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from graphtwin.errors import InputError, SourceLocation
from graphtwin.input_files import check_regular_file
from graphtwin.model import SourceInfo, TwinGraph

_CHUNK = 1 << 20


class Importer(Protocol):
    format: str
    """The name on the command line: `graphtwin import FORMAT`."""
    description: str

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        """Read `path` into a twin graph, or raise an `InputError` naming file and line."""
        ...


def parse_file(
    importer: Importer,
    path: Path,
    *,
    max_bytes: int | None,
    source_id: str | None = None,
    display_name: str | None = None,
) -> TwinGraph:
    """Parse `path` with `importer` once it is known to be a regular file of at most
    `max_bytes` (the size limit of its format, Settings.max_file_size). The CLI, the API's
    importModel and `graphtwin diff` all read their inputs through here."""
    check_regular_file(path, name=display_name, max_bytes=max_bytes)
    return importer.parse(path, source_id=source_id)


def describe_file(path: Path, *, format: str, source_id: str | None) -> SourceInfo:
    """Source facts of an input file. The default source id is `FORMAT:FILE_NAME`, so importing
    a new version of the same file updates that source instead of adding a second one.

    A path that is not a regular file (a device, a pipe) is refused here too, for callers of
    `Importer.parse` that did not go through `parse_file`; the file is hashed in chunks."""
    check_regular_file(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot read ({reason})", location=SourceLocation(str(path))) from exc
    return SourceInfo(
        source_id=source_id or f"{format}:{path.name}",
        format=format,
        file_name=path.name,
        sha256=digest.hexdigest(),
    )


def file_source(source: SourceInfo, declared: str | None, *, source_id_given: bool) -> SourceInfo:
    """The file's own `source:` wins over the default source id, `--source-id` over both."""
    if declared and not source_id_given:
        return SourceInfo(declared, source.format, source.file_name, source.sha256)
    return source
