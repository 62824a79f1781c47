"""`graphtwin audit verify|show|checkpoint|public-key`: check the audit log (its hash chain,
its records' MACs under the twin's audit key, a signed checkpoint of its head), read its
records, take checkpoints to keep elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from rich.markup import escape
from rich.table import Table

from graphtwin.audit import (
    AuditKeySource,
    AuditVerification,
    Checkpoint,
    read_audit_log,
    read_checkpoint,
    take_checkpoint,
    verify_audit_log,
)
from graphtwin.audit.checkpoint import write_checkpoint
from graphtwin.audit.keys import public_key_pem, read_public_key, signing_key
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.config import Settings, load_settings
from graphtwin.errors import AuditKeyError

app = typer.Typer(
    help="The audit log: verify its chain, MACs and checkpoints, show its records, take "
    "signed checkpoints."
)

_SUMMARY_CHARS = 80

LogPath = Annotated[
    Path | None,
    typer.Argument(
        help="The audit log (JSON Lines), e.g. var/audit.jsonl (default: the twin's, "
        "GRAPHTWIN_AUDIT_LOG or $GRAPHTWIN_TELEMETRY_DIR/audit.jsonl).",
        show_default=False,
    ),
]


def _log_path(path: Path | None, settings: Settings | None = None) -> Path:
    """The log asked for, or the twin's own (Settings.audit_log_path)."""
    return path if path is not None else (settings or load_settings()).audit_log_path


@app.command()
@guarded
def verify(
    path: LogPath = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint from `graphtwin audit checkpoint`: the log must still hold its "
            "record unchanged (not rewritten, not cut short before it).",
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The public key that signed the checkpoint (`graphtwin audit public-key`; "
            "default: the twin's own signing key).",
        ),
    ] = None,
    require_mac: Annotated[
        bool,
        typer.Option(
            "--require-mac",
            help="Fail unless every record carries a MAC checked under the audit key.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check every record: seq continuity, links to the record before, hashes; each record's
    MAC under the twin's audit key when it is there (GRAPHTWIN_AUDIT_KEY or
    GRAPHTWIN_AUDIT_KEY_FILE); with --checkpoint, that the log still reaches the checkpoint's
    record unchanged. Says which of these it checked. Exit 1 at the first broken line."""
    settings = load_settings()
    path = _log_path(path, settings)
    key = AuditKeySource.of(settings).load(create=False)
    if require_mac and key is None:
        raise AuditKeyError(
            "--require-mac needs the audit key, and there is none (set GRAPHTWIN_AUDIT_KEY or "
            "GRAPHTWIN_AUDIT_KEY_FILE)",
            settings.audit_key_path,
        )
    signed: Checkpoint | None = None
    signature_ok = True
    if checkpoint is not None:
        signed = read_checkpoint(checkpoint)
        signature_ok = signed.signature_valid(_trusted_public_key(settings, public_key))
    if signed is not None and not signature_ok:
        result = AuditVerification(
            False,
            0,
            None,
            None,
            f"the checkpoint {checkpoint} is not signed by the trusted key: it was altered, "
            "or signed by another key",
        )
    else:
        result = verify_audit_log(
            path, key, anchor=signed.anchor if signed else None, require_mac=require_mac
        )
    if as_json:
        print_json(
            {
                "path": str(path),
                "ok": result.ok,
                "records": result.records,
                "head_hash": result.head_hash,
                "head_mac": result.head_mac,
                "first_bad_line": result.first_bad_line,
                "reason": result.reason,
                "guarantees": list(result.guarantees),
                "key_id": result.key_id,
                "records_with_mac": result.macs,
                "records_without_mac": result.unkeyed,
                "checkpoint": (
                    {"file": str(checkpoint), "seq": signed.seq, "at": signed.at}
                    if signed is not None and result.anchored is not None
                    else None
                ),
            }
        )
    elif result.ok:
        head = result.head_hash[:12] if result.head_hash else "none (empty log)"
        out.print(f"ok: {result.records} records, head {head}")
        for line in _checked(result, signed):
            out.print(f"  checked: {escape(line)}")
    else:
        where = f"{path}:{result.first_bad_line}" if result.first_bad_line else str(checkpoint)
        err.print(f"broken at {escape(where)}: {escape(result.reason or '')}")
    if not result.ok:
        raise typer.Exit(1)


def _checked(result: AuditVerification, signed: Checkpoint | None) -> list[str]:
    """What a verification that passed proved, one guarantee a line, in words."""
    lines = ["hash chain: every record links to the one before, none edited, moved or deleted"]
    if result.key_id is None:
        unchecked = (
            f" ({result.macs} records carry a MAC that was not checked)" if result.macs else ""
        )
        lines.append(
            "keyed MAC: not checked, no audit key here"
            + unchecked
            + ": this is the hash chain only, which anyone who can write the log can recompute"
        )
    elif result.unkeyed and not result.macs:
        lines.append(
            f"keyed MAC: none of the {result.unkeyed} records has one (written before the log "
            "had a key): hash chain only"
        )
    elif result.unkeyed:
        lines.append(
            f"keyed MAC: records {result.unkeyed + 1}-{result.records} under key "
            f"{result.key_id}; records 1-{result.unkeyed} predate the key: hash chain only"
        )
    elif result.macs:
        lines.append(f"keyed MAC: every record, under key {result.key_id}")
    if signed is not None:
        lines.append(
            f"checkpoint: record {signed.seq} (taken {signed.at}, signed by "
            f"{signed.public_key[:16]}) is still in the log, unchanged"
        )
    else:
        lines.append(
            "checkpoint: none given; records cut off the end would not show "
            "(keep checkpoints elsewhere: `graphtwin audit checkpoint`)"
        )
    return lines


def _trusted_public_key(settings: Settings, public_key: Path | None) -> Ed25519PublicKey:
    if public_key is not None:
        return read_public_key(public_key)
    private = signing_key(settings, create=False)
    if private is None:
        raise AuditKeyError(
            "no signing key here to check the checkpoint against: give --public-key",
            settings.audit_signing_key_path,
        )
    return private.public_key()


@app.command("checkpoint")
@guarded
def checkpoint_command(
    path: LogPath = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write the checkpoint to this file (default: print it)."),
    ] = None,
) -> None:
    """Verify the log, then sign its head (seq, hash, MAC, time) with the twin's ed25519 key
    (GRAPHTWIN_AUDIT_SIGNING_KEY_FILE, created on first use). Keep the checkpoint where the
    log's writers cannot reach; `audit verify --checkpoint` proves the log still holds it."""
    settings = load_settings()
    path = _log_path(path, settings)
    key = AuditKeySource.of(settings).load(create=False)
    result = verify_audit_log(path, key)
    if not result.ok:
        err.print(
            f"broken at {escape(str(path))}:{result.first_bad_line}: {escape(result.reason or '')}"
        )
        err.print("no checkpoint taken: a broken log has no head to vouch for")
        raise typer.Exit(1)
    signed = take_checkpoint(path, result, _signing_key(settings))
    if out_file is None:
        print_json(signed.as_dict())
        return
    write_checkpoint(signed, out_file)
    err.print(
        f"checkpoint of record {signed.seq} (head {signed.hash[:12]}) written to "
        f"{escape(str(out_file))}"
    )


def _signing_key(settings: Settings) -> Ed25519PrivateKey:
    private = signing_key(settings, create=True)
    if private is None:  # create=True always gives one
        raise AuditKeyError("no signing key", settings.audit_signing_key_path)
    return private


@app.command("public-key")
@guarded
def public_key_command() -> None:
    """Print the public key that checks this twin's checkpoints (PEM), to keep with them."""
    settings = load_settings()
    out.print(public_key_pem(_signing_key(settings).public_key()).rstrip("\n"), markup=False)


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
