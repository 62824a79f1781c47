"""`graphtwin snapshot`: the twin's state as one YAML or JSON document."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err
from graphtwin.cli.scope_options import Root, Source
from graphtwin.snapshot import build_snapshot, read_snapshot
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings


class SnapshotFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


@guarded
def snapshot(
    fmt: Annotated[
        SnapshotFormat, typer.Option("--format", help="Document format.")
    ] = SnapshotFormat.YAML,
    root: Root = None,
    source: Source = None,
    bindings: Annotated[
        Path | None,
        typer.Option(
            "--bindings",
            help="The bindings file: adds sync rules, thresholds, staleness limits, reconcile "
            "strategies and the audit log's recent actions.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the twin's state as one document: entities with their live values and provenance,
    relationships, sync configuration, drift watched for and found, reconciliation, confidence,
    evidence anchors and the assumptions the snapshot had to make (docs/snapshot.md)."""
    spec = read_bindings(bindings) if bindings is not None else None
    with TwinStore.open() as store:
        inputs = read_snapshot(
            store, root=root, source=source, bindings=spec, bindings_path=bindings
        )
    document = build_snapshot(inputs)
    text = render(document, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    entities = len(document["digital_twin"]["entities"])
    err.print(f"wrote a snapshot of {entities} entities to {output}")


def render(document: dict[str, Any], fmt: SnapshotFormat) -> str:
    """The document as text, sections in their order either way."""
    if fmt is SnapshotFormat.JSON:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
