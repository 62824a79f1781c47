"""What a person does with a drift issue besides labelling it: acknowledge it, assign it to a
person of the twin, or accept the reconciliation it proposes. Each takes a note saying why,
keeps who and when on the issue, and is appended to the audit log (`drift_acknowledged`,
`drift_assigned`, `drift_reconciliation_accepted`). An unknown issue, an issue no longer open,
or an assignee that is not a Person of the twin is an error naming it, and nothing is written.

The reconciliation an issue proposes (`proposal`): reality wins, and for a `threshold`,
`staleness` or `behaviour` issue the twin already holds reality's value, so the one
reconciliation the twin can make itself is the `auto_correct` strategy of
`graphtwin.drift.reconcile`: the issue is recorded `auto_corrected` (the twin adopted what
reality shows). An issue whose rule already auto-corrects proposes nothing, nor does a
`predicted` issue (nothing has happened yet to adopt) or a `structural`/`semantic` one (the
model's owner changes the model: the twin never overwrites what an import asserts).

Example:

    acknowledge_issue(store, "drift:threshold:vav-101.zat:1700000000000", "on my way",
                      by="apikey:k1:ana", audit=ChangeAudit.for_cli(settings))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphtwin.audit import ChangeAudit
from graphtwin.drift.issues import DriftType, IssueStatus
from graphtwin.drift.labels import DriftIssueNotFoundError, InvalidLabelError
from graphtwin.drift.reconcile import strategy_status
from graphtwin.errors import InputError
from graphtwin.store import TwinStore

ACTIVE = (IssueStatus.OPEN, IssueStatus.INVESTIGATING)
"""The statuses a person can still act on."""

ADOPTABLE = (DriftType.THRESHOLD, DriftType.STALENESS, DriftType.BEHAVIOUR)
"""Issue types whose condition is about a value the twin already took from reality."""


class DriftIssueClosedError(InputError):
    """The drift issue is resolved or auto-corrected already; nothing was written."""

    def __init__(self, issue_id: str, status: str) -> None:
        super().__init__(
            f"the issue is {status}: only an open issue can be acted on", entity=issue_id
        )
        self.status = status


class NotAPersonError(InputError):
    """An assignee that is not a live Person of the twin; nothing was written."""

    def __init__(self, twin_id: str, kind: str | None) -> None:
        what = f"a {kind}" if kind else "not in the twin"
        super().__init__(
            f"an issue is assigned to a Person of the twin; this is {what}", entity=twin_id
        )


class NothingProposedError(InputError):
    """The drift issue proposes no reconciliation to accept; nothing was written."""

    def __init__(self, issue_id: str, why: str) -> None:
        super().__init__(f"no reconciliation to accept: {why}", entity=issue_id)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A reconciliation an issue proposes: the status it leads to, and what it means."""

    status: IssueStatus
    text: str


def proposal(issue: Mapping[str, Any]) -> Proposal | None:
    """The reconciliation `issue` (a drift issue record) proposes, or None (see the module).

    >>> proposal({"type": "threshold", "status": "open", "strategy": "alert"}).status
    <IssueStatus.AUTO_CORRECTED: 'auto_corrected'>
    >>> proposal({"type": "semantic", "status": "open", "strategy": "alert"}) is None
    True
    """
    return None if refusal(issue) else _ADOPT


def refusal(issue: Mapping[str, Any]) -> str | None:
    """Why `issue` proposes no reconciliation, or None when it proposes one."""
    if issue.get("status") not in ACTIVE:
        return f"the issue is {issue.get('status')}"
    if issue.get("type") not in ADOPTABLE:
        return (
            f"a {issue.get('type')} issue is reconciled by changing the model (its owner's "
            "source), not by the twin"
        )
    if issue.get("strategy") == "auto_correct":
        return "its rule auto-corrects it already"
    return None


_ADOPT = Proposal(
    strategy_status("auto_correct"),
    "the twin keeps reality's value (auto_correct): recorded as auto-corrected",
)


def acknowledge_issue(
    store: TwinStore, issue_id: str, note: str, *, by: str, audit: ChangeAudit | None = None
) -> dict[str, Any]:
    """Someone is on it: the issue becomes `investigating`, with who, when and the note."""
    note = _note(note, issue_id)
    _active(store, issue_id)
    return _run("drift/issue_acknowledge", store, issue_id, note, by, audit, "drift_acknowledged")


def assign_issue(
    store: TwinStore,
    issue_id: str,
    person: str,
    note: str,
    *,
    by: str,
    audit: ChangeAudit | None = None,
) -> dict[str, Any]:
    """Give the issue to `person` (a Person of the twin): `ASSIGNED_TO`, replacing an earlier
    assignee; the issue becomes `investigating`."""
    note = _note(note, issue_id)
    _active(store, issue_id)
    found = store.read("drift/person_by_id", twin_id=person)
    if not found or not found[0]["person"]:
        raise NotAPersonError(person, found[0]["kind"] if found else None)
    return _run("drift/issue_assign", store, issue_id, note, by, audit, "drift_assigned",
                person=person)  # fmt: skip


def accept_reconciliation(
    store: TwinStore, issue_id: str, note: str, *, by: str, audit: ChangeAudit | None = None
) -> dict[str, Any]:
    """Apply the reconciliation the issue proposes (`proposal`), with who, when and the note;
    an issue that proposes none is an error saying why."""
    note = _note(note, issue_id)
    why = refusal(_issue(store, issue_id))
    if why is not None:
        raise NothingProposedError(issue_id, why)
    return _run("drift/issue_accept", store, issue_id, note, by, audit,
                "drift_reconciliation_accepted", status=str(_ADOPT.status),
                proposal=_ADOPT.text)  # fmt: skip


def _run(
    statement: str,
    store: TwinStore,
    issue_id: str,
    note: str,
    by: str,
    audit: ChangeAudit | None,
    record: str,
    **params: str,
) -> dict[str, Any]:
    """Write the action (`statement`), then its audit record (`record`, a `ChangeAudit`
    method): the issue, its status after, who, when, the note and `params`. A log that could
    not take the record refuses the action before anything is written."""
    if audit is not None:
        audit.check()
    at = _now()
    rows = store.write(statement, issue_id=issue_id, by=by, at=at, note=note, **params)
    if not rows:  # closed (or the assignee retired) since it was read
        raise _closed(store, issue_id)
    done = {"issue_id": issue_id, **rows[0], "by": by, "note": note, **params}
    if audit is not None:
        getattr(audit, record)(done)
    return done


def _note(note: str, issue_id: str) -> str:
    if not note.strip():
        raise InvalidLabelError(
            "an action on a drift issue needs a note saying why", entity=issue_id
        )
    return note.strip()


def _issue(store: TwinStore, issue_id: str) -> dict[str, Any]:
    rows = store.read("drift/issue_by_id", issue_id=issue_id)
    if not rows:
        raise DriftIssueNotFoundError(issue_id)
    return dict(rows[0]["issue"])


def _active(store: TwinStore, issue_id: str) -> dict[str, Any]:
    issue = _issue(store, issue_id)
    if issue["status"] not in ACTIVE:
        raise DriftIssueClosedError(issue_id, issue["status"])
    return issue


def _closed(store: TwinStore, issue_id: str) -> InputError:
    status = _issue(store, issue_id)["status"]
    if status in ACTIVE:  # the assignee, then, is what went away
        return InputError("the issue changed while it was acted on; try again", entity=issue_id)
    return DriftIssueClosedError(issue_id, status)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
