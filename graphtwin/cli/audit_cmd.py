"""`graphtwin audit verify|show`: check the audit log's hash chain, and read its records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from graphtwin.audit import read_audit_log, verify_audit_log
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.config import load_settings

app = typer.Typer(help="The audit log: verify its hash chain, show its records.")

_SUMMARY_CHARS = 80

LogPath = Annotated[
    Path | None,
    typer.Argument(
        help="The audit log (JSON Lines), e.g. var/audit.jsonl (default: the twin's, "
        "GRAPHTWIN_AUDIT_LOG or $GRAPHTWIN_TELEMETRY_DIR/audit.jsonl).",
        show_default=False,
    ),
]


def _log_path(path: Path | None) -> Path:
    """The log asked for, or the twin's own (Settings.audit_log_path)."""
    return path if path is not None else load_settings().audit_log_path


@app.command()
@guarded
def verify(
    path: LogPath = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check every record: seq continuity, links to the record before, hashes. Exit 1 at the
    first broken line. (Cutting records off the end leaves a valid chain: compare the head
    hash with one kept elsewhere to catch that.)"""
    path = _log_path(path)
    result = verify_audit_log(path)
    if as_json:
        print_json(
            {
                "path": str(path),
                "ok": result.ok,
                "records": result.records,
                "head_hash": result.head_hash,
                "first_bad_line": result.first_bad_line,
                "reason": result.reason,
            }
        )
    elif result.ok:
        head = result.head_hash[:12] if result.head_hash else "none (empty log)"
        out.print(f"ok: {result.records} records, head {head}")
    else:
        err.print(
            f"broken at {escape(str(path))}:{result.first_bad_line}: {escape(result.reason or '')}"
        )
    if not result.ok:
        raise typer.Exit(1)


@app.command()
@guarded
def show(
    path: LogPath = None,
    tail: Annotated[int, typer.Option("--tail", min=0, help="Show the last N records.")] = 20,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only records of this kind (repeat for several)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the last records of the audit log, oldest first (does not verify the chain)."""
    records = read_audit_log(_log_path(path), kinds=kind or None, tail=tail)
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    if not records:
        out.print("no records" + (f" of kind {escape(', '.join(kind))}" if kind else ""))
        return
    table = Table("seq", "at", "kind", "actor", "payload")
    for r in records:
        table.add_row(
            str(r.seq), r.at, escape(r.kind), escape(r.actor), escape(_summary(r.payload))
        )
    out.print(table)


def _summary(payload: dict[str, Any]) -> str:
    """key=value pairs on one line, cut to a table cell's width."""
    text = ", ".join(f"{key}={_short(value)}" for key, value in payload.items())
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"


def _short(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
