"""Inbox items: what needs attention, from the records the twin keeps (pure; no database).

Four sources, one item each:

- a drift issue still open or under investigation (`from_drift_issue`), of any type; a
  `predicted` one is a predicted crossing, with its expected time;
- a constraint violation (`from_violation`): a current value outside an effective constraint,
  or a broken capacity (graphtwin.reasoning);
- a what-if run's findings (`from_simulation_run`): the latest run of a scenario whose inaction
  loses supply somewhere (a single point of failure: what it removed cuts others off) or
  foresees a constraint violation.

Each item carries its impact and urgency (graphtwin.inbox.ranking), its "because" chain (short
sentences, each factor of the score among them) and its evidence (JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphtwin.drift.triage import proposal
from graphtwin.inbox.ranking import Impact, Urgency, criticality, score
from graphtwin.reasoning.because import describe_chain
from graphtwin.reasoning.checks import Violation

DRIFT, VIOLATION, SIMULATION = "drift", "violation", "simulation"
LATENT_TYPES = frozenset({"structural", "semantic"})
"""Drift in the model, not in a value: no clock runs on it."""


@dataclass(frozen=True, slots=True)
class Reach:
    """What is at stake where an item is (`cypher/inbox/reach.cypher`)."""

    twin_id: str
    name: str | None = None
    kind: str | None = None
    zones: tuple[tuple[str, str | None], ...] = ()
    people: int = 0
    hard_constraints: int = 0
    soft_constraints: int = 0
    responsible: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Reach:
        return cls(
            twin_id=row["twin_id"],
            name=row.get("name"),
            kind=row.get("kind"),
            zones=tuple((z["twin_id"], z.get("name")) for z in row.get("zones") or []),
            people=int(row.get("people") or 0),
            hard_constraints=int(row.get("hard_constraints") or 0),
            soft_constraints=int(row.get("soft_constraints") or 0),
            responsible=tuple(sorted(set(row.get("responsible") or []))),
        )

    def impact(self, severity: str | None) -> Impact:
        return Impact(
            criticality=criticality(severity),
            zones=len(self.zones),
            people=self.people,
            hard_constraints=self.hard_constraints,
            soft_constraints=self.soft_constraints,
        )

    def sentences(self) -> list[str]:
        """The reach in words: which zones, how many people, which rules, who is responsible."""
        out = []
        if self.zones:
            names = ", ".join(name or twin_id for twin_id, name in self.zones[:5])
            more = f" and {len(self.zones) - 5} more" if len(self.zones) > 5 else ""
            out.append(f"It affects {len(self.zones)} zone(s): {names}{more}.")
        if self.people:
            out.append(f"Up to {self.people} people occupy them.")
        rules = self.hard_constraints + self.soft_constraints
        if rules:
            out.append(
                f"{rules} constraint(s) or regulation(s) apply there "
                f"({self.hard_constraints} hard, {self.soft_constraints} soft)."
            )
        if self.responsible:
            out.append(f"Responsible: {', '.join(self.responsible)}.")
        return out


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One thing that needs attention, ranked by `score` (impact x urgency)."""

    item_id: str
    source: str
    """`drift`, `violation` or `simulation`."""
    type: str
    """The drift type, the violation kind (`range`, `capacity`), or `single_point_of_failure` /
    `foreseen_violation` for a what-if run's finding."""
    severity: str
    title: str
    twin_id: str
    name: str | None
    node_kind: str | None
    """The kind of the entity it concerns (Point, Equipment, Space...), when known."""
    impact: Impact
    urgency: Urgency
    because: tuple[str, ...]
    evidence: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    """A drift issue's status (open, investigating); None for the others."""
    issue_id: str | None = None
    """The drift issue to act on (acknowledge, assign, accept, dismiss); None for the others."""
    assignee: dict[str, Any] | None = None
    proposal: str | None = None
    """The reconciliation a drift issue proposes (graphtwin.drift.triage), if any."""
    detected_at: str | None = None
    run_id: str | None = None
    """The what-if run a simulation finding comes from."""

    @property
    def score(self) -> float:
        return score(self.impact, self.urgency)


def drift_standing(issue: Mapping[str, Any], reach: Reach, now: datetime) -> tuple[Impact, Urgency]:
    """What ranks a drift issue, its impact and urgency, without building its item (the inbox
    builds only the items it shows)."""
    urgency, _ = _drift_urgency(issue, _evidence(issue.get("evidence")), now)
    return reach.impact(issue.get("severity")), urgency


def _drift_urgency(
    issue: Mapping[str, Any], evidence: Mapping[str, Any], now: datetime
) -> tuple[Urgency, str]:
    """A drift issue's urgency, and the sentence that says when it bites or since when."""
    lasted = _hours_between(_time(issue.get("detected_at")), now)
    kind = str(issue["type"])
    if kind == "predicted" and _time(evidence.get("expected_at")) is not None:
        expected = _time(evidence["expected_at"])
        urgency = Urgency.expected(_hours_between(now, expected), _probability(evidence))
        return urgency, f"A forecast expects the crossing at {evidence['expected_at']}."
    if kind in LATENT_TYPES:
        return Urgency.latent(lasted), "It is a defect of the model: no clock runs on it."
    return Urgency.ongoing(lasted), f"It has held since {issue.get('detected_at')}."


def from_drift_issue(issue: Mapping[str, Any], reach: Reach, now: datetime) -> InboxItem:
    """A drift issue (`cypher/inbox/drift_issues.cypher`) as an inbox item."""
    evidence = _evidence(issue.get("evidence"))
    kind = str(issue["type"])
    urgency, when = _drift_urgency(issue, evidence, now)
    impact = reach.impact(issue.get("severity"))
    where = reach.name or reach.twin_id
    because = [
        f"{kind.capitalize()} drift on {where}: {issue.get('description')}",
        when,
        *reach.sentences(),
        *_handled(issue),
        impact.explain(),
        urgency.explain(),
    ]
    proposed = proposal(issue)
    return InboxItem(
        item_id=str(issue["issue_id"]),
        source=DRIFT,
        type=kind,
        severity=str(issue.get("severity") or "warning"),
        title=str(issue.get("description") or kind),
        twin_id=reach.twin_id,
        name=reach.name,
        node_kind=reach.kind,
        impact=impact,
        urgency=urgency,
        because=tuple(because),
        evidence=evidence,
        status=issue.get("status"),
        issue_id=str(issue["issue_id"]),
        assignee=issue.get("assignee"),
        proposal=proposed.text if proposed else None,
        detected_at=issue.get("detected_at"),
    )


def from_violation(
    violation: Violation, reach: Reach, now: datetime, *, checked_at: datetime | None = None
) -> InboxItem:
    """A constraint violation (graphtwin.reasoning) as an inbox item. The twin keeps the
    value's time, not when the value first broke the bound, so it counts as holding now (or
    when the constraints were `checked_at`, a kept check's time)."""
    urgency = Urgency.ongoing(0.0)
    impact = reach.impact(violation.severity)
    chain = describe_chain(violation.because)
    because = [
        f"Constraint violation: {violation.describe()}.",
        *([f"The bound holds there because {chain}."] if chain else []),
        "It holds now (when it began is not recorded)."
        if checked_at is None
        else f"It held when the constraints were last checked, {_ago(now, checked_at)} "
        "(when it began is not recorded).",
        *reach.sentences(),
        impact.explain(),
        urgency.explain(),
    ]
    ids = "+".join(violation.constraint_ids)
    return InboxItem(
        item_id=f"violation:{violation.node}:{violation.property}:{violation.bound}:{ids}",
        source=VIOLATION,
        type=violation.kind,
        severity=violation.severity,
        title=violation.describe(),
        twin_id=violation.node,
        name=reach.name,
        node_kind=reach.kind,
        impact=impact,
        urgency=urgency,
        because=tuple(because),
        evidence={
            "value": violation.value,
            "unit": violation.unit,
            "limit": violation.limit,
            "limit_unit": violation.limit_unit,
            "bound": violation.bound,
            "point": violation.point,
            "at": violation.at.isoformat() if violation.at else None,
            "constraints": list(violation.constraint_ids),
            "when": violation.when,
            "checked_at": (checked_at or now).isoformat(),
        },
    )


def from_simulation_run(
    run: Mapping[str, Any], reaches: Mapping[str, Reach], now: datetime
) -> list[InboxItem]:
    """A what-if run's findings (`cypher/inbox/simulation_runs.cypher`): under inaction, what
    its intervention cuts off (a single point of failure), and the first violation it foresees;
    none when inaction loses nothing and breaks nothing."""
    summary = _evidence(run.get("summary"))
    inaction = next((o for o in summary.get("outcomes", []) if o.get("name") == "inaction"), None)
    if not inaction:
        return []
    out = []
    impact_of = inaction.get("impact") or {}
    removed, lost = impact_of.get("removed") or [], impact_of.get("lost") or []
    first = inaction.get("first_violation")
    expected = _time(first.get("first_at")) if first else None
    scenario = run.get("scenario") or run["run_id"]
    evidence = {"run_id": run["run_id"], "scenario": scenario, "at": run.get("finished_at")}
    if removed and lost:
        where = reaches.get(removed[0]) or Reach(removed[0])
        urgency = (
            Urgency.expected(_hours_between(now, expected))
            if expected
            else Urgency.latent(_hours_between(_time(run.get("finished_at")), now))
        )
        impact = Impact(
            criticality=criticality("critical" if first else "warning"),
            zones=len(lost),
            hard_constraints=where.hard_constraints,
            soft_constraints=where.soft_constraints,
            people=where.people,
        )
        lines = [
            f"The what-if run {scenario!r} takes out {', '.join(removed)}: "
            f"{len(lost)} node(s) lose supply entirely ({', '.join(lost[:5])}).",
            "No redundant feed goes around it: a single point of failure.",
        ]
        title = f"{where.name or removed[0]} is a single point of failure for {len(lost)} node(s)"
        severity = "critical" if first else "warning"
        out.append(_finding(run, "single_point_of_failure", f"spof:{removed[0]}", severity,
                            title, where, impact, urgency, lines,
                            {**evidence, "removed": removed, "lost": lost}))  # fmt: skip
    if first and expected:
        node = str(first["node"])
        where = reaches.get(node) or Reach(node)
        urgency = Urgency.expected(_hours_between(now, expected))
        impact = where.impact(first.get("severity"))
        lines = [
            f"The what-if run {scenario!r} foresees, under inaction, {first['property']} of "
            f"{where.name or node} beyond its {first['bound']} {first['limit']:g} "
            f"{first.get('unit') or ''} from {first['first_at']}.".replace(" .", "."),
            f"The bound holds because {first.get('because')}." if first.get("because") else "",
        ]
        title = (
            f"{where.name or node}: {first['property']} foreseen beyond its {first['bound']} "
            "under inaction"
        )
        out.append(_finding(run, "foreseen_violation", f"violation:{node}",
                            str(first.get("severity") or "soft"), title, where, impact, urgency,
                            lines, {**evidence, "first_violation": first}))  # fmt: skip
    return out


def _finding(
    run: Mapping[str, Any],
    kind: str,
    suffix: str,
    severity: str,
    title: str,
    where: Reach,
    impact: Impact,
    urgency: Urgency,
    lines: Sequence[str],
    evidence: dict[str, Any],
) -> InboxItem:
    """One finding of a what-if run as an item: `lines`, then the reach, impact and urgency."""
    because = (*(line for line in lines if line), *where.sentences(), impact.explain(),
               urgency.explain())  # fmt: skip
    return InboxItem(
        item_id=f"simulation:{run['run_id']}:{suffix}",
        source=SIMULATION,
        type=kind,
        severity=severity,
        title=title,
        twin_id=where.twin_id,
        name=where.name,
        node_kind=where.kind,
        impact=impact,
        urgency=urgency,
        because=because,
        evidence=evidence,
        run_id=str(run["run_id"]),
    )


def violations_unchecked(
    roots: Sequence[str], *, within_s: float, in_background: bool = False
) -> InboxItem:
    """The item that says constraint violations were not checked: the reasoning over `roots`
    took longer than `within_s` (a whole large building), so none of them is in the list;
    `in_background`: the check goes on, and the next read has its result."""
    where = ", ".join(roots)
    if in_background:
        title = f"Constraint violations under {where} are being checked"
        advice = "The check goes on in the background: reload in a few seconds to see them."
    else:
        title = f"Constraint violations under {where} were not checked (over {within_s:g} s)"
        advice = "Narrow the scope (a floor, a room), or ask violations(scope) on a node's page."
    return InboxItem(
        item_id="violations:unchecked",
        source=VIOLATION,
        type="unchecked",
        severity="warning",
        title=title,
        twin_id=roots[0],
        name=None,
        node_kind=None,
        impact=Impact(criticality=1.0),
        urgency=Urgency.latent(0.0),
        because=(
            f"Checking every constraint under {where} took longer than {within_s:g} s, so "
            "no constraint violation is in this list.",
            advice,
        ),
    )


def nodes_of_runs(runs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The entities a what-if run's findings name (what it removed, its first violation)."""
    out: list[str] = []
    for run in runs:
        for outcome in _evidence(run.get("summary")).get("outcomes", []):
            if outcome.get("name") != "inaction":
                continue
            out += (outcome.get("impact") or {}).get("removed") or []
            if outcome.get("first_violation"):
                out.append(str(outcome["first_violation"]["node"]))
    return out


def _handled(issue: Mapping[str, Any]) -> list[str]:
    out = []
    if issue.get("acknowledged_by"):
        out.append(
            f"Acknowledged by {issue['acknowledged_by']} at {issue.get('acknowledged_at')}: "
            f"{issue.get('acknowledged_note')}"
        )
    if issue.get("assignee"):
        a = issue["assignee"]
        out.append(f"Assigned to {a.get('name') or a['twin_id']} by {a.get('by')}: {a.get('note')}")
    if issue.get("predicted_by"):
        out.append(f"Foreseen by {', '.join(issue['predicted_by'])}.")
    return out


def _evidence(raw: Any) -> dict[str, Any]:
    """Evidence and summaries are kept as JSON text; anything else reads as empty."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return {"text": raw}
        return value if isinstance(value, dict) else {"value": value}
    return {}


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _hours_between(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return 0.0
    return (end - start).total_seconds() / 3600.0


def _probability(evidence: Mapping[str, Any]) -> float | None:
    p = evidence.get("probability")
    return float(p) if isinstance(p, int | float) else None


def _ago(now: datetime, then: datetime) -> str:
    """How long before `now` `then` was, in words: '40 s ago', '2 min ago'.

    >>> from datetime import timedelta
    >>> t = datetime(2026, 1, 1)
    >>> _ago(t, t - timedelta(seconds=40)), _ago(t, t - timedelta(seconds=150))
    ('40 s ago', '2 min ago')
    """
    seconds = max(0.0, (now - then).total_seconds())
    return f"{seconds:.0f} s ago" if seconds < 90 else f"{seconds / 60:.0f} min ago"
