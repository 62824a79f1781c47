"""graphtwin.imports.import_files, the one import door of the CLI, the demo and the API, called
directly: all files or none, recorded once it has committed, nothing recorded for a dry run."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.audit import ChangeAudit, read_audit_log
from graphtwin.config import Settings
from graphtwin.errors import InputError
from graphtwin.imports import ImportFile, ImportReport, import_files
from graphtwin.store import TwinStore
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

TWIN = IMPORTERS["twin"]


def twin_file(folder: Path, name: str, source: str, *ids: str) -> ImportFile:
    nodes = "".join(f"  - {{id: {i}, kind: Equipment, name: {i}}}\n" for i in ids)
    path = folder / name
    path.write_text(f"graphtwin: 1\nsource: {source}\nnodes:\n{nodes}", encoding="utf-8")
    return ImportFile(TWIN, path, name=name)


def test_two_files_load_together_and_are_recorded_once_after_the_caller_saw_the_reports(
    store: TwinStore, neo4j_settings: Settings, tmp_path: Path
):
    log = tmp_path / "audit.jsonl"
    audit = ChangeAudit(log, "test:door")
    seen: list[tuple[list[str], int]] = []

    def loaded(done: ImportReport) -> None:
        recorded = read_audit_log(log, kinds=["import"]) if log.exists() else []
        seen.append(([r.file for r in done.reports], len(recorded)))

    files = [
        twin_file(tmp_path, "a.yaml", "a", "pump-1", "pump-2"),
        twin_file(tmp_path, "b.yaml", "b", "fan-1"),
    ]
    done = import_files(store, files, audit=audit, settings=neo4j_settings, loaded=loaded)

    assert [r.nodes_created for r in done.reports] == [2, 1]
    assert seen == [(["a.yaml", "b.yaml"], 0)]  # shown before the record was written
    [record] = read_audit_log(log, kinds=["import"])
    assert record.actor == "test:door"
    assert [f["file"] for f in record.payload["files"]] == ["a.yaml", "b.yaml"]
    again = import_files(store, files, audit=audit, settings=neo4j_settings)
    assert [r.nodes_unchanged for r in again.reports] == [2, 1]


def test_a_dry_run_or_an_invalid_file_writes_and_records_nothing(
    store: TwinStore, neo4j_settings: Settings, tmp_path: Path
):
    log = tmp_path / "audit.jsonl"
    audit = ChangeAudit(log, "test:door")
    good = twin_file(tmp_path, "a.yaml", "a", "pump-1")
    dry = import_files(store, [good], audit=audit, settings=neo4j_settings, dry_run=True)
    assert [r.nodes_created for r in dry.reports] == [1] and dry.reports[0].dry_run
    bad = tmp_path / "bad.yaml"
    bad.write_text("graphtwin: 1\nnodes:\n  - {id: x, kind: NoSuchKind, name: X}\n")
    with pytest.raises(InputError) as refused:
        import_files(store, [good, ImportFile(TWIN, bad)], audit=audit, settings=neo4j_settings)
    assert refused.value.file == str(bad)
    assert store.counts().nodes == 0
    assert not log.exists()
