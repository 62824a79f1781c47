"""GraphQL types of the twin's audit log (auditor role): its records and its verification."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from graphtwin.api.scalars import DateTime


@strawberry.type(
    description="One record of the twin's audit log (docs/audit.md): who changed what, when."
)
class AuditLogRecord:
    seq: int = strawberry.field(description="Its place in the log, from 1.")
    at: DateTime
    kind: str = strawberry.field(description="import, simulated, action_accepted ...")
    actor: str = strawberry.field(description="cli:<user> or apikey:<key id>:<key name>.")
    payload: JSON = strawberry.field(description="What was done and why, by kind.")
    prev: str = strawberry.field(description="The hash of the record before.")
    hash: str = strawberry.field(description="SHA-256 of the record (the chain).")
    mac: str | None = strawberry.field(description="HMAC under the log's key; null: none.")


@strawberry.type(description="A page of audit records, newest first.")
class AuditLogPage:
    records: list[AuditLogRecord]
    next_before: int | None = strawberry.field(
        description="Pass as `before` for the older records; null: there are none."
    )


@strawberry.type(
    description="Whether the audit log verifies, as `graphtwin audit verify` checks it: every "
    "record links to the one before and its hash matches, and (with the server's audit key) "
    "every record's MAC."
)
class AuditChainStatus:
    ok: bool
    records: int = strawberry.field(description="Records that verified (before any broken one).")
    head_hash: str | None
    first_bad_line: int | None = strawberry.field(description="The first broken line (1-based).")
    reason: str | None = strawberry.field(description="Why it is broken.")
    key_checked: bool = strawberry.field(description="The MACs were checked under the key.")
    records_with_mac: int
    records_without_mac: int
    guarantees: list[str] = strawberry.field(
        description="What the check proved: hash_chain, keyed_mac."
    )
