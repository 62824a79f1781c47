"""`graphtwin bind --suggest`: propose bindings for a source's addresses, for review."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, print_json
from graphtwin.config import load_settings
from graphtwin.errors import InputError, SchemaViolationError, SourceLocation
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile, DataSource, read_bindings


@guarded
def bind(
    config: Annotated[
        Path,
        typer.Option(
            "--config", "-c", help="Bindings file declaring the source (sources only is fine)."
        ),
    ],
    source_id: Annotated[
        str, typer.Option("--source", metavar="ID", help="The source to discover.")
    ],
    within: Annotated[
        str | None,
        typer.Option("--within", metavar="ROOT", help="Only points in this node's subtree."),
    ] = None,
    listen_s: Annotated[
        float, typer.Option("--listen-s", help="MQTT: listen this long.", min=0.1, max=3600)
    ] = 10.0,
    timeout_s: Annotated[
        float,
        typer.Option("--timeout-s", help="OPC UA, BACnet: wait this long.", min=0.1, max=600),
    ] = 5.0,
    min_confidence: Annotated[
        float,
        typer.Option("--min-confidence", help="Leave out weaker suggestions.", min=0.0, max=1.0),
    ] = 0.5,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the bindings file to review here.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the suggestions as JSON.")] = False,
    suggest: Annotated[
        bool,
        typer.Option("--suggest", help="Discover the source and suggest bindings (required)."),
    ] = False,
) -> None:
    """Suggest bindings: browse an OPC UA server, list a BACnet device's objects or listen to an
    MQTT broker, match what it offers to the twin's points (by reference, then names and
    units) and write a bindings file to review, with a confidence per binding and the
    unmatched points and addresses listed. What the --config file binds already is left out."""
    from graphtwin.telemetry.suggest.discover import discover, reference_speller
    from graphtwin.telemetry.suggest.existing import unbound
    from graphtwin.telemetry.suggest.match import suggest_bindings
    from graphtwin.telemetry.suggest.points import read_points
    from graphtwin.telemetry.suggest.write import bindings_document, suggestions_json

    if not suggest:
        raise InputError("only `graphtwin bind --suggest` exists so far", entity="bind")
    if out is None and not as_json:
        raise InputError("give --out FILE for the bindings file, or --json", entity="bind")
    if out is not None and out.exists() and not force:
        raise InputError(
            "exists; --force overwrites it", location=SourceLocation(str(out)), entity="--out"
        )
    spec = read_bindings(config)
    source = _source(spec, config, source_id)
    spell = reference_speller(source.type, source.id)
    with TwinStore.open(load_settings()) as store:
        points = read_points(store, within, spell)
    err.print(f"discovering source {source.id} ({source.type}) for {len(points)} point(s)")
    found = asyncio.run(discover(source, timeout_s=timeout_s, listen_s=listen_s))
    addresses, free = unbound(spec, source.id, found, points)
    result = suggest_bindings(addresses, free, source.id, min_confidence)
    err.print(
        f"{len(found)} address(es), {len(found) - len(addresses)} of them and "
        f"{len(points) - len(free)} point(s) bound already: {len(result.matched)} suggested, "
        f"{len(result.unmatched_points)} point(s) unmatched"
    )
    if out is not None:
        _write_checked(out, bindings_document(result, source, min_confidence))
        err.print(f"wrote {out}: review it, then `graphtwin sync --config` with it")
    if as_json:
        print_json(suggestions_json(result))


def _source(spec: BindingsFile, config: Path, source_id: str) -> DataSource:
    for source in spec.sources:
        if source.id == source_id:
            return source
    known = ", ".join(s.id for s in spec.sources)
    raise SchemaViolationError(
        f"no source with this id (the file declares {known})",
        location=SourceLocation(str(config)),
        entity=f"source {source_id}",
    )


def _write_checked(out: Path, text: str) -> None:
    """Write `text` to `out` only once it reads back as a bindings file (a temporary file in
    the same folder, renamed over `out`): a file that would not load is never left behind."""
    folder = out.parent
    if not folder.is_dir():
        raise InputError("no such folder", location=SourceLocation(str(out)), entity="--out")
    handle, name = tempfile.mkstemp(prefix=".suggested-", suffix=".yaml", dir=folder)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        read_bindings(temporary)
        temporary.replace(out)
    finally:
        temporary.unlink(missing_ok=True)
