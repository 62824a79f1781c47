"""The twin's audit log: who changed what, when, in one append-only hash-chained file, each
record MACed under a key kept out of the log's reach, its head signed into checkpoints.

It sits below every capability that changes the twin (imports, links, resets, API keys,
telemetry, drift), so each of them records its events the same way."""

from graphtwin.audit.checkpoint import Checkpoint, read_checkpoint, take_checkpoint
from graphtwin.audit.events import ChangeAudit, api_key_actor, cli_actor
from graphtwin.audit.keys import AuditKey, AuditKeySource
from graphtwin.audit.log import (
    GENESIS,
    Anchor,
    AuditLog,
    AuditLogError,
    AuditRecord,
    AuditVerification,
    read_audit_log,
    record_hash,
    record_mac,
    utc_stamp,
    verify_audit_log,
)

__all__ = [
    "GENESIS",
    "Anchor",
    "AuditKey",
    "AuditKeySource",
    "AuditLog",
    "AuditLogError",
    "AuditRecord",
    "AuditVerification",
    "ChangeAudit",
    "Checkpoint",
    "api_key_actor",
    "cli_actor",
    "read_audit_log",
    "read_checkpoint",
    "record_hash",
    "record_mac",
    "take_checkpoint",
    "utc_stamp",
    "verify_audit_log",
]
