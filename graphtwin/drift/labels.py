"""A person's verdict on a drift issue: a false alarm (dismissed) or a real defect (confirmed).

A label is kept in the twin as a `(:DriftLabel)` linked to the entity (`LABELS`), so it outlives
the issue it was given on, and it names the *finding* the issue came from by a `finding_key`
that is the same in every detection run: the issue's type, rule and entity and, for a finding
about one relationship (its evidence names a `relationship`), that relationship. Detection
does not reopen a finding whose latest label is a false alarm (`suppressed_keys`), and the next
training learns from the labels (graphtwin.ml.labels).

One label in force per issue: labelling an issue again is an error naming the label it has
(`DriftIssueLabelledError`), and nothing is written. A mistaken label is withdrawn
(`withdraw_label`, with a note): it is kept, marked `withdrawn_at`/`withdrawn_by`/
`withdrawn_note`, for auditors, but no longer suppresses its finding nor teaches training, so
the next detection run reopens the finding if it still finds it. The issue can then be labelled
again: its first label is `label:<issue id>`, the n-th `label:<issue id>#n`, so two people
labelling at once still make the same id and the second is refused.

Example:

    label = label_issue(store, "drift:semantic:ahu-1.sat:1700000000000:gnn_semantic",
                        Verdict.FALSE_ALARM, "the sensor is in the supply duct", by="ana",
                        audit=ChangeAudit.for_cli(settings))
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from neo4j.exceptions import ConstraintError

from graphtwin.audit import ChangeAudit
from graphtwin.errors import InputError, SourceLocation
from graphtwin.store import TwinStore

LABELS_FORMAT = "graphtwin-drift-labels/1"
"""What `graphtwin drift labels --json` writes and `graphtwin ml train --labels` reads."""


class Verdict(StrEnum):
    FALSE_ALARM = "false_alarm"
    """The finding is wrong: the twin is right as it is."""
    CONFIRMED = "confirmed"
    """The finding is a real defect."""


class DriftIssueNotFoundError(InputError):
    """A drift issue id given to label is not in the twin; nothing was written."""

    def __init__(self, issue_id: str) -> None:
        super().__init__(
            "no drift issue with this id (`graphtwin drift list` lists them)", entity=issue_id
        )
        self.issue_id = issue_id


class DriftIssueLabelledError(InputError):
    """The drift issue already has a label in force (one per issue); nothing was written."""

    def __init__(self, issue_id: str, label: Mapping[str, Any]) -> None:
        super().__init__(
            f"already labelled {label['verdict']} by {label['by']} at {label['at']} "
            f"({label['label_id']}); an issue takes one label in force (`graphtwin drift "
            "withdraw` withdraws it)",
            entity=issue_id,
        )
        self.issue_id = issue_id
        self.label = dict(label)


class DriftLabelNotFoundError(InputError):
    """A label id given to withdraw is not in the twin; nothing was written."""

    def __init__(self, label_id: str) -> None:
        super().__init__(
            "no drift label with this id (`graphtwin drift labels` lists them)", entity=label_id
        )
        self.label_id = label_id


class DriftLabelWithdrawnError(InputError):
    """The label was withdrawn already; nothing was written."""

    def __init__(self, label: DriftLabel) -> None:
        super().__init__(
            f"already withdrawn by {label.withdrawn_by} at {label.withdrawn_at}",
            entity=label.label_id,
        )
        self.label = label


class InvalidLabelError(InputError):
    """A label without a note or a name, or a labels file that is not one; names what."""


@dataclass(frozen=True, slots=True)
class DriftLabel:
    label_id: str
    issue_id: str
    twin_id: str
    type: str
    rule: str | None
    finding_key: str
    verdict: Verdict
    note: str
    by: str
    at: str  # ISO 8601
    relationship: tuple[str, str, str] | None = None  # (start twin_id, TYPE, end twin_id)
    declared_class: str | None = None  # the entity's class when labelled (what a label vouches)
    withdrawn_at: str | None = None  # ISO 8601; None: the label is in force
    withdrawn_by: str | None = None
    withdrawn_note: str | None = None

    @property
    def in_force(self) -> bool:
        """Not withdrawn: it suppresses its finding (a false alarm) and teaches training."""
        return self.withdrawn_at is None

    def to_json(self) -> dict[str, Any]:
        """The label as JSON; the `withdrawn_*` keys only on a withdrawn one (so a label in
        force reads, and hashes in a model's manifest, as it always did)."""
        out = asdict(self)
        out["verdict"] = str(self.verdict)
        out["relationship"] = list(self.relationship) if self.relationship else None
        if self.in_force:
            for key in WITHDRAWN_KEYS:
                del out[key]
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DriftLabel:
        rel = raw.get("relationship")
        return cls(
            label_id=str(raw["label_id"]),
            issue_id=str(raw["issue_id"]),
            twin_id=str(raw["twin_id"]),
            type=str(raw["type"]),
            rule=raw.get("rule"),
            finding_key=str(raw["finding_key"]),
            verdict=Verdict(raw["verdict"]),
            note=str(raw["note"]),
            by=str(raw["by"]),
            at=str(raw["at"]),
            relationship=(str(rel[0]), str(rel[1]), str(rel[2])) if rel else None,
            declared_class=raw.get("declared_class"),
            **{key: _text(raw.get(key)) for key in WITHDRAWN_KEYS},
        )


WITHDRAWN_KEYS = ("withdrawn_at", "withdrawn_by", "withdrawn_note")


def relationship_of(evidence: Mapping[str, Any] | None) -> tuple[str, str, str] | None:
    """The one relationship a finding is about, from its evidence (`relationship`: start, type,
    end), or None for a finding about a node."""
    rel = (evidence or {}).get("relationship")
    if isinstance(rel, Mapping) and {"start", "type", "end"} <= rel.keys():
        return str(rel["start"]), str(rel["type"]), str(rel["end"])
    return None


def finding_key(
    drift_type: str, rule: str | None, twin_id: str, evidence: Mapping[str, Any] | None = None
) -> str:
    """The same finding in every detection run: `type|rule|twin_id`, plus `|start-[:TYPE]->end`
    for a finding about one relationship.

    >>> finding_key("structural", "gnn_wrong_relationship", "p1",
    ...             {"relationship": {"start": "ahu", "type": "HAS_POINT", "end": "p1"}})
    'structural|gnn_wrong_relationship|p1|ahu-[:HAS_POINT]->p1'
    """
    key = f"{drift_type}|{rule or ''}|{twin_id}"
    rel = relationship_of(evidence)
    return f"{key}|{rel[0]}-[:{rel[1]}]->{rel[2]}" if rel else key


def suppressed_keys(labels: Iterable[DriftLabel]) -> set[str]:
    """The findings whose latest label in force (by time) is a false alarm: a withdrawn label
    suppresses nothing."""
    latest: dict[str, Verdict] = {}
    for label in sorted(in_force(labels), key=lambda lb: (lb.at, lb.label_id)):
        latest[label.finding_key] = label.verdict
    return {key for key, verdict in latest.items() if verdict is Verdict.FALSE_ALARM}


def label_issue(
    store: TwinStore,
    issue_id: str,
    verdict: Verdict,
    note: str,
    *,
    by: str,
    audit: ChangeAudit | None = None,
    at: datetime | None = None,
) -> DriftLabel:
    """Label one issue, then append the label to the audit log (`drift_labelled`). A log that
    could not take the record refuses the label before anything is written."""
    if not note.strip():
        raise InvalidLabelError("a label needs a note saying why", entity=issue_id)
    if not by.strip():
        raise InvalidLabelError("a label needs the name of who gives it", entity=issue_id)
    rows = store.read("drift/issue_by_id", issue_id=issue_id)
    if not rows:
        raise DriftIssueNotFoundError(issue_id)
    issue = rows[0]["issue"]
    if issue["label"] is not None:
        raise DriftIssueLabelledError(issue_id, issue["label"])
    evidence = _evidence(issue["evidence"])
    label = DriftLabel(
        label_id=label_id_for(issue_id, rows[0]["labels_given"]),
        issue_id=issue_id,
        twin_id=issue["twin_id"],
        type=issue["type"],
        rule=issue["rule"],
        finding_key=finding_key(issue["type"], issue["rule"], issue["twin_id"], evidence),
        verdict=verdict,
        note=note.strip(),
        by=by.strip(),
        at=(at or datetime.now(UTC)).isoformat(timespec="milliseconds"),
        relationship=relationship_of(evidence),
        declared_class=rows[0]["declared_class"],
    )
    if audit is not None:
        audit.check()
    try:
        [written] = store.write(
            "drift/label_create",
            **{k: v for k, v in label.to_json().items() if k not in ("twin_id", "type", "rule")},
        )
    except ConstraintError as exc:  # labelled by someone else since it was read
        [row] = store.read("drift/issue_by_id", issue_id=issue_id)
        raise DriftIssueLabelledError(issue_id, row["issue"]["label"]) from exc
    label = replace(label, at=written["at"])  # as the twin keeps it (and lists it)
    if audit is not None:
        audit.drift_labelled(label.to_json())
    return label


def label_id_for(issue_id: str, labels_given: int) -> str:
    """The id of an issue's next label, after `labels_given` (all withdrawn) labels.

    >>> label_id_for("drift:semantic:p1:1", 0), label_id_for("drift:semantic:p1:1", 1)
    ('label:drift:semantic:p1:1', 'label:drift:semantic:p1:1#2')
    """
    return f"label:{issue_id}" if labels_given == 0 else f"label:{issue_id}#{labels_given + 1}"


def withdraw_label(
    store: TwinStore,
    label_id: str,
    note: str,
    *,
    by: str,
    audit: ChangeAudit | None = None,
    at: datetime | None = None,
) -> DriftLabel:
    """Withdraw a label (kept, marked withdrawn), then append `drift_label_withdrawn` to the
    audit log. An unknown or already withdrawn label is an error naming it, and nothing is
    written; a log that could not take the record refuses it before anything is written."""
    if not note.strip():
        raise InvalidLabelError("a withdrawal needs a note saying why", entity=label_id)
    if not by.strip():
        raise InvalidLabelError("a withdrawal needs the name of who makes it", entity=label_id)
    label = _label_by_id(store, label_id)
    if not label.in_force:
        raise DriftLabelWithdrawnError(label)
    if audit is not None:
        audit.check()
    written = store.write(
        "drift/label_withdraw",
        label_id=label_id,
        at=(at or datetime.now(UTC)).isoformat(timespec="milliseconds"),
        by=by.strip(),
        note=note.strip(),
    )
    if not written:  # withdrawn by someone else since it was read
        raise DriftLabelWithdrawnError(_label_by_id(store, label_id))
    withdrawn = DriftLabel.from_json(written[0]["label"])
    if audit is not None:
        audit.drift_label_withdrawn(withdrawn.to_json())
    return withdrawn


def labels(store: TwinStore) -> list[DriftLabel]:
    """Every label in the twin, withdrawn ones included, oldest first."""
    return [DriftLabel.from_json(r["label"]) for r in store.read("drift/labels_list")]


def in_force(found: Iterable[DriftLabel]) -> list[DriftLabel]:
    """The labels not withdrawn: those that suppress findings and teach training."""
    return [label for label in found if label.in_force]


def labels_document(found: Iterable[DriftLabel]) -> dict[str, Any]:
    """Labels as `graphtwin drift labels --json` prints them (and `ml train --labels` reads)."""
    return {"format": LABELS_FORMAT, "labels": [label.to_json() for label in found]}


def read_labels_file(path: Path) -> list[DriftLabel]:
    """Labels from a file `graphtwin drift labels --json` wrote; a bad one names the file."""
    where = SourceLocation(str(path))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidLabelError(f"cannot read: {exc.strerror}", location=where) from exc
    except json.JSONDecodeError as exc:
        raise InvalidLabelError(
            f"not JSON: {exc.msg}", location=SourceLocation(str(path), exc.lineno)
        ) from exc
    if not isinstance(raw, dict) or raw.get("format") != LABELS_FORMAT:
        raise InvalidLabelError(
            f"not a {LABELS_FORMAT} file (`graphtwin drift labels --json` writes one)",
            location=where,
        )
    out = []
    for i, item in enumerate(raw.get("labels") or []):
        try:
            out.append(DriftLabel.from_json(item))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InvalidLabelError(
                f"label {i} is not one ({type(exc).__name__}: {exc})", location=where
            ) from exc
    return out


def _label_by_id(store: TwinStore, label_id: str) -> DriftLabel:
    rows = store.read("drift/label_by_id", label_id=label_id)
    if not rows:
        raise DriftLabelNotFoundError(label_id)
    return DriftLabel.from_json(rows[0]["label"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _evidence(text: str | None) -> dict[str, Any]:
    """An issue's evidence, kept as JSON text on the issue."""
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
