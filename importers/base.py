"""What every importer provides, and the file facts every import records."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from graphtwin.errors import InputError, SourceLocation
from graphtwin.model import SourceInfo, TwinGraph


class Importer(Protocol):
    format: str
    """The name on the command line: `graphtwin import FORMAT`."""
    description: str

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        """Read `path` into a twin graph, or raise an `InputError` naming file and line."""
        ...


def describe_file(path: Path, *, format: str, source_id: str | None) -> SourceInfo:
    """Source facts of an input file. The default source id is `FORMAT:FILE_NAME`, so importing
    a new version of the same file updates that source instead of adding a second one."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError as exc:
        raise InputError("file not found", location=SourceLocation(str(path))) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a file", location=SourceLocation(str(path))) from exc
    return SourceInfo(
        source_id=source_id or f"{format}:{path.name}",
        format=format,
        file_name=path.name,
        sha256=digest,
    )
