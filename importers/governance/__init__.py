"""Governance importer: regulations and their constraints, procedures, people and roles, from a
documented YAML format (docs/governance.md, JSON Schema in docs/governance.schema.json)."""

from __future__ import annotations

from pathlib import Path

from graphtwin.model import TwinGraph
from importers.base import describe_file
from importers.governance.reader import read_governance_file


class GovernanceImporter:
    format = "governance"
    description = "governance files (regulations, constraints, procedures, people, roles)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        source = describe_file(path, format=self.format, source_id=source_id)
        return read_governance_file(path, source, source_id_given=source_id is not None)
