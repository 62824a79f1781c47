"""The twin's audit log: who changed what, when, in one append-only hash-chained file.

It sits below every capability that changes the twin (imports, links, resets, API keys,
telemetry, drift), so each of them records its events the same way."""

from graphtwin.audit.events import ChangeAudit, api_key_actor, cli_actor
from graphtwin.audit.log import (
    GENESIS,
    AuditLog,
    AuditLogError,
    AuditRecord,
    AuditVerification,
    read_audit_log,
    record_hash,
    utc_stamp,
    verify_audit_log,
)

__all__ = [
    "GENESIS",
    "AuditLog",
    "AuditLogError",
    "AuditRecord",
    "AuditVerification",
    "ChangeAudit",
    "api_key_actor",
    "cli_actor",
    "read_audit_log",
    "record_hash",
    "utc_stamp",
    "verify_audit_log",
]
