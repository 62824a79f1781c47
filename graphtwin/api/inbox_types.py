"""GraphQL types of the inbox (`inbox`): ranked items with their impact, urgency, because
chain and evidence (graphtwin.inbox)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from graphtwin.api.scalars import DateTime
from graphtwin.api.telemetry_types import DriftIssueAssignee


@strawberry.type(
    description="What is at stake: criticality x (1 + zones + 2 x hard constraints + soft "
    "constraints + people / 10) (docs/ui.md, graphtwin/inbox/ranking.py)."
)
class InboxImpact:
    score: float
    criticality: float = strawberry.field(
        description="3 critical (or a hard constraint), 2 warning (or soft), 1 otherwise."
    )
    zones: int = strawberry.field(description="Spaces and zones affected (fed, served, in).")
    people: int = strawberry.field(description="The occupancy of the affected spaces.")
    hard_constraints: int = strawberry.field(
        description="Hard constraints and regulations that apply there."
    )
    soft_constraints: int
    explanation: str = strawberry.field(description="The score with every factor.")


@strawberry.type(
    description="How soon it bites, or how long it has: expected in h hours 4 x 6 / (6 + h) "
    "(x probability), ongoing for h hours 4 + min(h, 72) / 24, latent 1 + min(days, 30) / 30."
)
class InboxUrgency:
    score: float
    clock: str = strawberry.field(description="expected, ongoing or latent.")
    hours: float = strawberry.field(
        description="Hours to the expected crossing, since it began, or since it was found."
    )
    probability: float | None = strawberry.field(description="A forecast's, when it has one.")
    explanation: str = strawberry.field(description="The score with every factor.")


@strawberry.type(
    description="One thing that needs attention: an open drift issue (any type; `predicted` "
    "ones are predicted crossings), a constraint violation, or a what-if run's finding; ranked "
    "by `score` = impact x urgency."
)
class InboxItem:
    item_id: strawberry.ID
    source: str = strawberry.field(description="drift, violation or simulation.")
    type: str = strawberry.field(
        description="The drift type; range or capacity for a violation; "
        "single_point_of_failure or foreseen_violation for a what-if finding."
    )
    severity: str
    title: str
    twin_id: strawberry.ID = strawberry.field(description="Where: the entity it concerns.")
    name: str | None
    node_kind: str | None = strawberry.field(
        description="The kind of that entity (Point, Equipment, Space...)."
    )
    score: float
    impact: InboxImpact
    urgency: InboxUrgency
    because: list[str] = strawberry.field(description="Why it is here and ranked so, in order.")
    evidence: JSON
    status: str | None = strawberry.field(description="A drift issue's status.")
    issue_id: strawberry.ID | None = strawberry.field(
        description="The drift issue to act on (acknowledgeDriftIssue, assignDriftIssue, "
        "acceptReconciliation, labelDriftIssue); null for the others."
    )
    assignee: DriftIssueAssignee | None
    proposal: str | None = strawberry.field(
        description="The reconciliation a drift issue proposes (acceptReconciliation applies "
        "it); null when it proposes none."
    )
    detected_at: DateTime | None
    run_id: strawberry.ID | None = strawberry.field(
        description="The what-if run a simulation finding comes from."
    )
