"""Signed checkpoints of the audit log: the head of the log at one moment, signed with the
twin's ed25519 key, to keep somewhere the log's writers cannot reach.

    {"format": "graphtwin-audit-checkpoint/1", "log": "/var/lib/graphtwin/audit.jsonl",
     "seq": 1204, "hash": "9f2c...", "mac": "51ab...", "at": "2026-03-14T09:30:00.123456Z",
     "key_id": "1a2b...", "public_key": "<32 bytes, hex>", "signature": "<64 bytes, hex>"}

The signature covers the canonical JSON of every other field. `verify_audit_log(..., anchor=)`
then proves that the log still holds that record, unchanged: it was not rewritten, and not cut
short, before the checkpoint. Whoever can rewrite the log (even with its MAC key) cannot
rewrite the copies of its checkpoints.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from graphtwin.audit.keys import public_key_hex
from graphtwin.audit.log import Anchor, AuditLogError, AuditVerification, utc_stamp
from graphtwin.errors import AuditCheckpointError, SourceLocation

FORMAT = "graphtwin-audit-checkpoint/1"
_MAX_BYTES = 64 * 1024
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    format: str
    log: str  # the log it was taken of, as a reminder (any copy of the log verifies against it)
    seq: int  # the head record
    hash: str
    mac: str | None
    at: str  # when it was taken
    key_id: str | None  # the MAC key the log was verified with, when it was taken
    public_key: str  # hex of the ed25519 public key that signed it
    signature: str

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.seq, self.hash, self.mac)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def signature_valid(self, trusted: Ed25519PublicKey) -> bool:
        """Whether `trusted` signed exactly this checkpoint."""
        if self.public_key != public_key_hex(trusted):
            return False
        try:
            trusted.verify(bytes.fromhex(self.signature), _signed_bytes(self.as_dict()))
        except (InvalidSignature, ValueError):
            return False
        return True


def take_checkpoint(
    log: Path, verification: AuditVerification, signing_key: Ed25519PrivateKey
) -> Checkpoint:
    """A signed checkpoint of the head of a log that has just verified."""
    if not verification.ok:
        raise ValueError("a log that does not verify has no head to checkpoint")
    if verification.head_hash is None:
        raise AuditLogError("the audit log is empty: there is no head to sign", log)
    body: dict[str, Any] = {
        "format": FORMAT,
        "log": str(log),
        "seq": verification.records,
        "hash": verification.head_hash,
        "mac": verification.head_mac,
        "at": utc_stamp(),
        "key_id": verification.key_id,
        "public_key": public_key_hex(signing_key.public_key()),
    }
    signature = signing_key.sign(_signed_bytes(body)).hex()
    return Checkpoint(**body, signature=signature)


def write_checkpoint(checkpoint: Checkpoint, path: Path) -> None:
    text = json.dumps(checkpoint.as_dict(), indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AuditLogError(f"cannot write the checkpoint: {exc.strerror or exc}", path) from exc


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint file, its fields checked (its signature is checked by `signature_valid`)."""
    if path.exists() and not path.is_file():
        raise _refused(path, "not a checkpoint: not a regular file")
    try:
        with path.open("rb") as stream:
            data = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise _refused(path, f"cannot read the checkpoint: {exc.strerror or exc}") from exc
    if len(data) > _MAX_BYTES:
        raise _refused(path, f"not a checkpoint (over {_MAX_BYTES} bytes)")
    try:
        fields = json.loads(data)
    except ValueError as exc:
        raise _refused(path, f"not a checkpoint: not JSON ({exc})") from exc
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise _refused(path, f"not a checkpoint: its format is not {FORMAT}")
    expected = set(Checkpoint.__dataclass_fields__)
    if set(fields) != expected:
        missing = ", ".join(sorted(expected - set(fields))) or "none"
        extra = ", ".join(sorted(set(fields) - expected)) or "none"
        raise _refused(path, f"not a checkpoint: fields missing: {missing}; unexpected: {extra}")
    problems = [
        name
        for name, good in (
            ("seq", type(fields["seq"]) is int and fields["seq"] >= 1),
            ("hash", _is_hex(fields["hash"], 64)),
            ("mac", fields["mac"] is None or _is_hex(fields["mac"], 64)),
            ("at", isinstance(fields["at"], str)),
            ("log", isinstance(fields["log"], str)),
            ("key_id", fields["key_id"] is None or isinstance(fields["key_id"], str)),
            ("public_key", _is_hex(fields["public_key"], 64)),
            ("signature", _is_hex(fields["signature"], 128)),
        )
        if not good
    ]
    if problems:
        raise _refused(path, f"not a checkpoint: bad {', '.join(problems)}")
    return Checkpoint(**fields)


def _refused(path: Path, message: str) -> AuditCheckpointError:
    return AuditCheckpointError(message, location=SourceLocation(str(path)))


def _is_hex(value: Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and set(value) <= _HEX


def _signed_bytes(fields: dict[str, Any]) -> bytes:
    body = {k: v for k, v in fields.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")
