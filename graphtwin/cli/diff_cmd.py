"""`graphtwin diff FORMAT OLD NEW`: what changed between two versions of a model, no database;
`graphtwin diff twin --from T1 --to T2`: what changed in the twin between two times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_diff, print_json
from graphtwin.cli.scope_options import Root
from graphtwin.config import Settings, load_settings
from graphtwin.twin_diff import diff_graphs
from importers import IMPORTERS
from importers.base import parse_file

if TYPE_CHECKING:
    from graphtwin.store.timeline_diff import TimelineDiff

Time = Annotated[str | None, typer.Option(metavar="TIME", show_default=False)]


@guarded
def diff(
    format: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(IMPORTERS)}.", show_default=False)
    ],
    old: Annotated[
        Path | None, typer.Argument(help="The earlier version.", show_default=False)
    ] = None,
    new: Annotated[
        Path | None, typer.Argument(help="The later version.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="TIME",
            help="With FORMAT twin and no files: the twin's changes since this time (ISO 8601; "
            "no offset means UTC).",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="TIME", help="... up to this time (default: now)."),
    ] = None,
    root: Root = None,
    values: Annotated[
        bool,
        typer.Option(
            "--values",
            help="Also the points whose value differs between the two times (from the value "
            "history), each with the data source that wrote the later value.",
        ),
    ] = False,
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            help="The value history to read with --values (default: TELEMETRY_DIR/history).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Compare two versions of a model file without writing anything; or, as `diff twin --from
    T1 [--to T2] [--root ID] [--values]`, list what was added, removed and changed in the twin
    between two times, each change with the sources and import runs (or, for values, the data
    source) that made it."""
    if format == "twin" and old is None and new is None and from_ is not None:
        _timeline(from_, to, root, as_json, history if values else None, values=values)
        return
    if from_ is not None or to is not None or root is not None or values:
        raise typer.BadParameter(
            "--from, --to, --root and --values compare the twin between two times: "
            "`graphtwin diff twin --from T1 --to T2` (no files)",
            param_hint="--from",
        )
    if old is None or new is None:
        raise typer.BadParameter("give the earlier and the later file", param_hint="OLD NEW")
    importer = IMPORTERS.get(format)
    if importer is None:
        raise typer.BadParameter(f"unknown format {format!r}", param_hint="FORMAT")
    limit = load_settings().max_file_size(importer.format)
    changes = diff_graphs(
        parse_file(importer, old, max_bytes=limit), parse_file(importer, new, max_bytes=limit)
    )
    if as_json:
        print_json({"format": format, "old": str(old), "new": str(new), **changes.to_json()})
    elif changes.empty:
        out.print("no differences")
    else:
        print_diff(changes, title=f"{old} -> {new}", limit=50)


def _timeline(
    from_: str,
    to: str | None,
    root: str | None,
    as_json: bool,
    history: Path | None,
    *,
    values: bool,
) -> None:
    from datetime import UTC

    from graphtwin.store import TwinStore
    from graphtwin.store.asof import parse_time

    start = parse_time(from_, field="--from")
    end = parse_time(to, field="--to") if to is not None else datetime.now(UTC)
    settings = load_settings()
    with TwinStore.open(settings) as store:
        changes = store.diff_between(start, end, root=root)
        points = set()  # the points there were at either time (a value may come or go)
        if values:
            points = {p for at in (start, end) for p in store.points_at(at, root=root)}
    found = _value_changes(settings, history, points, start, end) if values else None
    if as_json:
        print_json({**changes.to_json(), **({"values": found} if found is not None else {})})
    elif changes.empty and not found:
        out.print("no differences")
    else:
        _print_timeline(changes)
        if found:
            _print_values(found)


def _value_changes(
    settings: Settings, folder: Path | None, points: set[str], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    from graphtwin.telemetry.history import open_history
    from graphtwin.telemetry.value_changes import value_changes

    history = open_history(settings, folder)
    changes = value_changes(history, sorted(points), start, end, lookback=settings.history_lookback)
    return [c.to_json() for c in changes]


def _print_values(found: list[dict[str, Any]], limit: int = 50) -> None:
    out.print(f"  values changed: {len(found)}")
    for change in found[:limit]:
        old, new = change["old"], change["new"]
        was = "-" if old is None else f"{old['value']:g}"
        now = "-" if new is None else f"{new['value']:g}"
        made = "" if new is None else f"  [dim]by {escape(new['source'])} at {new['at']}[/]"
        out.print(f"    {escape(change['twin_id'])}: {was} -> {now}{made}")
    if len(found) > limit:
        out.print(f"    ... and {len(found) - limit} more (--json lists all)")


def _print_timeline(changes: TimelineDiff, limit: int = 50) -> None:
    out.print(f"[bold]the twin from {changes.from_.isoformat()} to {changes.to.isoformat()}[/]")
    for change in ("added", "removed", "changed"):
        nodes = changes.of(change)
        rels = changes.relationships_of(change)
        for label, items in (
            (change, [(n.twin_id, n.keys, n.sources, n.runs) for n in nodes]),
            (
                f"relationships {change}",
                [(f"({r.start})-[:{r.type}]->({r.end})", r.keys, r.sources, r.runs) for r in rels],
            ),
        ):
            if not items:
                continue
            out.print(f"  {label}: {len(items)}")
            for what, keys, sources, runs in items[:limit]:
                detail = f" ({', '.join(keys)})" if change == "changed" else ""
                made = f"by {', '.join(sources) or '-'} in {', '.join(runs) or '-'}"
                out.print(f"    {escape(what + detail)}  [dim]{escape(made)}[/]")
            if len(items) > limit:
                out.print(f"    ... and {len(items) - limit} more (--json lists all)")
