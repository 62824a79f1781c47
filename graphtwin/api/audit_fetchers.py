"""The twin's audit log for auditors over the API: its records a page at a time, newest first
(`auditLog`), and whether its chain and MACs verify (`auditChain`), as `graphtwin audit show`
and `graphtwin audit verify` read it. The log is a file: read in a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record
from graphtwin.audit import AuditKeySource, read_audit_log, verify_audit_log


async def audit_log(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    first: int,
    before: int | None = None,
    kinds: list[str] | None = None,
    actor: str | None = None,
) -> list[Any]:
    """The last `first` records before record `before` (seq), of `kinds` and `actor` when
    given, newest first; `next_before` continues with older ones (None: no older record)."""
    path = ctx.services.settings.audit_log_path

    def read() -> Record:
        if not path.exists():
            return {"records": [], "next_before": None}
        found = read_audit_log(path, kinds, first + 1, before=before, actor=actor)
        page = found[-first:][::-1]
        more = len(found) > first
        return {
            "records": [r.as_dict() for r in page],
            "next_before": page[-1].seq if more and page else None,
        }

    found = await asyncio.to_thread(read)
    return [found for _ in parents]


async def audit_chain(ctx: ApiContext, parents: Sequence[Any]) -> list[Any]:
    """The log's verification under the twin's audit key (when the server has it)."""
    settings = ctx.services.settings

    def verify() -> Record:
        path = settings.audit_log_path
        key = AuditKeySource.of(settings).load(create=False)
        if not path.exists():
            return {"ok": True, "records": 0, "head_hash": None, "first_bad_line": None,
                    "reason": "the audit log is empty (nothing recorded yet)",
                    "key_checked": key is not None, "records_with_mac": 0,
                    "records_without_mac": 0, "guarantees": []}  # fmt: skip
        result = verify_audit_log(path, key)
        return {
            "ok": result.ok,
            "records": result.records,
            "head_hash": result.head_hash,
            "first_bad_line": result.first_bad_line,
            "reason": result.reason,
            "key_checked": result.key_id is not None,
            "records_with_mac": result.macs,
            "records_without_mac": result.unkeyed,
            "guarantees": list(result.guarantees),
        }

    found = await asyncio.to_thread(verify)
    return [found for _ in parents]
