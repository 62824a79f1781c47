"""`graphtwin drift list|dismiss|confirm|withdraw|labels`: the twin's drift issues, and a
person's verdict on them. A dismissed finding (a false alarm) is not reopened by later detection
runs, and both verdicts teach the next `graphtwin ml train` (docs/ml.md, "Labels: teaching the
detector"), until the label is withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from graphtwin.cli.guard import guarded
from graphtwin.cli.output import out, print_json
from graphtwin.drift.issues import DriftType, IssueStatus

if TYPE_CHECKING:
    from graphtwin.drift.labels import DriftLabel

app = typer.Typer(help="Drift issues: list them, dismiss false alarms, confirm real defects.")

IssueId = Annotated[str, typer.Argument(help="The issue's id (`graphtwin drift list`).")]
LabelId = Annotated[str, typer.Argument(help="The label's id (`graphtwin drift labels`).")]
Note = Annotated[str, typer.Option("--note", help="Why (required; kept with the label).")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Who does it (default: the OS user running the command)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("list")
@guarded
def list_issues(
    drift_type: Annotated[
        list[DriftType] | None,
        typer.Option("--type", help="Only this type; repeat for several."),
    ] = None,
    status: Annotated[
        list[IssueStatus] | None,
        typer.Option("--status", help="Only this status; repeat for several."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
    as_json: AsJson = False,
) -> None:
    """Drift issues, newest first, with the label a person gave each."""
    from graphtwin.store import TwinStore

    with TwinStore.open() as store:
        rows = store.read(
            "drift/issues_list",
            statuses=[str(s) for s in status] if status else None,
            types=[str(t) for t in drift_type] if drift_type else None,
            twin_id=None,
            limit=limit,
        )
    issues = [r["issue"] for r in rows]
    if as_json:
        print_json({"issues": issues})
        return
    table = Table(title=f"{len(issues)} issues")
    table.add_column("issue", no_wrap=True)  # whole, to copy into `drift dismiss|confirm`
    for column in ("type", "status", "entity", "finding", "label"):
        table.add_column(column)
    for i in issues:
        label = i["label"]
        table.add_row(
            escape(i["issue_id"]),
            i["type"],
            i["status"],
            escape(i["twin_id"]),
            escape(i["description"] or ""),
            escape(f"{label['verdict']} by {label['by']}: {label['note']}") if label else "",
        )
    out.print(table)


def _by_a_person(by: str | None, change: Callable[..., DriftLabel]) -> DriftLabel:
    """Run `change(store, by=..., audit=...)` on the twin as the person (`--by`, else the OS
    user), audited as the CLI's user."""
    from graphtwin.audit import ChangeAudit
    from graphtwin.audit.events import os_user
    from graphtwin.config import load_settings
    from graphtwin.store import TwinStore

    settings = load_settings()
    with TwinStore.open(settings) as store:
        return change(
            store,
            by=by if by is not None else os_user(),
            audit=ChangeAudit.for_cli(settings),
        )


def _label(issue_id: str, verdict: str, note: str, by: str | None) -> None:
    from graphtwin.drift.labels import Verdict, label_issue

    label = _by_a_person(
        by, partial(label_issue, issue_id=issue_id, verdict=Verdict(verdict), note=note)
    )
    out.print(
        f"{escape(label.issue_id)}: {label.verdict} by {escape(label.by)} "
        f"(finding {escape(label.finding_key)})"
    )


@app.command()
@guarded
def dismiss(issue_id: IssueId, note: Note, by: By = None) -> None:
    """Mark an issue a false alarm: it is resolved with the note as its reason, its finding is
    not reopened by later detection runs, and the next training learns from it."""
    _label(issue_id, "false_alarm", note, by)


@app.command()
@guarded
def confirm(issue_id: IssueId, note: Note, by: By = None) -> None:
    """Mark an issue a real defect: it stays open until its condition clears, and the next
    training learns from it."""
    _label(issue_id, "confirmed", note, by)


@app.command()
@guarded
def withdraw(label_id: LabelId, note: Note, by: By = None) -> None:
    """Withdraw a label given by mistake: it is kept, marked withdrawn (who, when, the note),
    but no longer suppresses its finding nor teaches training; the next detection run reopens
    the finding if it still finds it, and the issue can be labelled again. Audited."""
    from graphtwin.drift.labels import withdraw_label

    label = _by_a_person(by, partial(withdraw_label, label_id=label_id, note=note))
    out.print(
        f"{escape(label.label_id)}: withdrawn by {escape(label.withdrawn_by or '')} "
        f"(finding {escape(label.finding_key)})"
    )


@app.command("labels")
@guarded
def list_labels(as_json: AsJson = False) -> None:
    """Every label given, oldest first, withdrawn ones included (marked so). `--json` writes
    what `graphtwin ml train --labels` reads (it learns from the labels in force only)."""
    from graphtwin.drift.labels import labels, labels_document
    from graphtwin.store import TwinStore

    with TwinStore.open() as store:
        found = labels(store)
    if as_json:
        print_json(labels_document(found))
        return
    table = Table(title=f"{len(found)} labels")
    table.add_column("label", no_wrap=True)  # whole, to copy into `drift withdraw`
    for column in ("at", "verdict", "by", "finding", "note", "withdrawn"):
        table.add_column(column)
    for label in found:
        table.add_row(
            escape(label.label_id),
            label.at,
            str(label.verdict),
            escape(label.by),
            escape(label.finding_key),
            escape(label.note),
            ""
            if label.in_force
            else escape(f"{label.withdrawn_at} by {label.withdrawn_by}: {label.withdrawn_note}"),
        )
    out.print(table)
