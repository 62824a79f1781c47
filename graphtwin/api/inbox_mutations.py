"""What a person does with a drift issue from the inbox (operator role): acknowledge it, assign
it to a person of the twin, accept its proposed reconciliation (graphtwin.drift.triage). Each
takes a required note, is done as the caller's key (`apikey:<id>:<name>`) and audited; an
unknown issue or person is an error naming it, and nothing is written. Dismissing is
`labelDriftIssue(verdict: FALSE_ALARM)`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from graphtwin.api.context import ApiContext
from graphtwin.api.records import plain
from graphtwin.api.telemetry_types import DriftIssue
from graphtwin.audit import ChangeAudit, api_key_actor
from graphtwin.config import Settings
from graphtwin.drift.triage import accept_reconciliation, acknowledge_issue, assign_issue
from graphtwin.store import TwinStore


def _actor(context: ApiContext) -> str:
    principal = context.principal
    return api_key_actor(principal.key_id, principal.name) if principal else "api"


async def _act(info: strawberry.Info, issue_id: str, act: Callable[..., Any]) -> DriftIssue:
    """Run `act(store, by=..., audit=...)` in a worker thread, then read the issue back."""
    context: ApiContext = info.context
    settings = context.services.settings
    audit = ChangeAudit.for_actor(settings, _actor(context))
    return await asyncio.to_thread(_acted, settings, audit, issue_id, act)  # type: ignore[return-value]


def _acted(
    settings: Settings, audit: ChangeAudit, issue_id: str, act: Callable[..., Any]
) -> dict[str, Any]:
    with TwinStore.open(settings, migrate=False) as store:
        act(store, by=audit.actor, audit=audit)
        [row] = store.read("drift/issue_by_id", issue_id=issue_id)
    return plain(row["issue"])


async def acknowledge_drift_issue(
    info: strawberry.Info, issue_id: strawberry.ID, note: str
) -> DriftIssue:
    return await _act(
        info,
        str(issue_id),
        lambda store, **who: acknowledge_issue(store, str(issue_id), note, **who),
    )


async def assign_drift_issue(
    info: strawberry.Info, issue_id: strawberry.ID, person: strawberry.ID, note: str
) -> DriftIssue:
    return await _act(
        info,
        str(issue_id),
        lambda store, **who: assign_issue(store, str(issue_id), str(person), note, **who),
    )


async def accept_drift_reconciliation(
    info: strawberry.Info, issue_id: strawberry.ID, note: str
) -> DriftIssue:
    return await _act(
        info,
        str(issue_id),
        lambda store, **who: accept_reconciliation(store, str(issue_id), note, **who),
    )


acknowledge = strawberry.mutation(
    resolver=acknowledge_drift_issue,
    description="Acknowledge a drift issue (operator role): someone is on it; an open issue "
    "becomes `investigating`, with who, when and the required note. Audited "
    "(`drift_acknowledged`). An unknown or closed issue is an error naming it; nothing is "
    "written.",
)
assign = strawberry.mutation(
    resolver=assign_drift_issue,
    description="Assign a drift issue to a Person of the twin (`person`: its twin_id; operator "
    "role), with a required note: ASSIGNED_TO, replacing an earlier assignee; the issue "
    "becomes `investigating`. Audited (`drift_assigned`). An unknown issue, or a `person` that "
    "is not a Person, is an error naming it; nothing is written.",
)
accept = strawberry.mutation(
    resolver=accept_drift_reconciliation,
    name="acceptReconciliation",
    description="Accept the reconciliation a drift issue proposes (`InboxItem.proposal`; "
    "operator role), with a required note: a threshold, staleness or behaviour issue whose "
    "rule does not auto-correct is recorded `auto_corrected` (the twin keeps reality's value, "
    "as the auto_correct strategy does). Audited (`drift_reconciliation_accepted`). An issue "
    "that proposes none is an error saying why; nothing is written.",
)
