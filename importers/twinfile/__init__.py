"""The native twin file: a readable YAML description of a twin, kept in git (twin-as-code)."""

from __future__ import annotations

from pathlib import Path

from graphtwin.model import TwinGraph
from importers.base import describe_file
from importers.twinfile.reader import read_twin_file
from importers.twinfile.writer import render_twin_file


class TwinFileImporter:
    format = "twin"
    description = "graphtwin twin file (YAML, see docs/twin-file.md)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        return read_twin_file(
            path,
            describe_file(path, format=self.format, source_id=source_id),
            source_id_given=source_id is not None,
        )


__all__ = ["TwinFileImporter", "read_twin_file", "render_twin_file"]
