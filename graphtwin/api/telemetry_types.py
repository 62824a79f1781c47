"""GraphQL types of live telemetry: value history, drift issues and data sources."""

from __future__ import annotations

import strawberry

from graphtwin.api.scalars import DateTime


@strawberry.type(description="One value of a point's history (every accepted value is kept).")
class HistoryValue:
    time: DateTime = strawberry.field(description="Source time of the value.")
    value: float
    quality: str
    source: str = strawberry.field(description="The data source that sent it.")


@strawberry.type(
    description="The threshold bands a point's values are judged by: the sync rule its values "
    "come under (bindings file, docs/telemetry.md). Outside `warning` opens a warning, outside "
    "`critical` a critical threshold issue; a condition clears once back inside by `hysteresis`."
)
class PointThresholds:
    rule: str | None = strawberry.field(description="The sync rule's name.")
    warning_low: float | None
    warning_high: float | None
    critical_low: float | None
    critical_high: float | None
    hysteresis: float


@strawberry.type(
    description="A person's verdict on a drift issue (`labelDriftIssue`, `graphtwin drift "
    "dismiss|confirm`): it suppresses a false alarm and teaches the next training, until it "
    "is withdrawn (`withdrawDriftLabel`, `graphtwin drift withdraw`)."
)
class DriftIssueLabel:
    label_id: strawberry.ID
    verdict: str = strawberry.field(description="false_alarm or confirmed.")
    note: str = strawberry.field(description="Why, as the person said.")
    by: str = strawberry.field(
        description="Who gave it: `apikey:<key id>:<key name>` through the API; `--by` or the "
        "OS user through the CLI."
    )
    at: DateTime
    withdrawn_at: DateTime | None = strawberry.field(
        default=None,
        description="When it was withdrawn; null while it is in force (as a DriftIssue's label "
        "always is).",
    )
    withdrawn_by: str | None = strawberry.field(default=None, description="Who withdrew it.")
    withdrawn_note: str | None = strawberry.field(default=None, description="Why.")


@strawberry.type(description="The person of the twin a drift issue is assigned to (ASSIGNED_TO).")
class DriftIssueAssignee:
    twin_id: strawberry.ID = strawberry.field(description="The Person node.")
    name: str | None
    by: str = strawberry.field(description="Who assigned it.")
    at: DateTime
    note: str = strawberry.field(description="Why, as the person who assigned it said.")


@strawberry.type(description="A difference between the twin and reality, and where it stands.")
class DriftIssue:
    issue_id: strawberry.ID
    twin_id: strawberry.ID = strawberry.field(description="The entity it concerns.")
    type: str = strawberry.field(
        description="threshold, staleness, structural, semantic, predicted or behaviour."
    )
    severity: str = strawberry.field(description="warning or critical.")
    description: str
    status: str = strawberry.field(
        description="open, investigating, auto_corrected or resolved (when the condition cleared)."
    )
    strategy: str | None = strawberry.field(description="How its rule reconciles it.")
    rule: str | None
    value: float | None = strawberry.field(description="The value that set it off, if any.")
    evidence: str | None = strawberry.field(description="What was found, as JSON text.")
    detected_at: DateTime
    resolved_at: DateTime | None
    predicted_by: list[strawberry.ID] = strawberry.field(
        description="The `predicted` issues (early warnings) that foresaw this threshold "
        "crossing: open on the entity when it opened (PREDICTED_BY)."
    )
    label: DriftIssueLabel | None = strawberry.field(
        description="The verdict in force a person gave it, if any (a false alarm is "
        "resolved); a withdrawn one is no longer its label."
    )
    acknowledged_by: str | None = strawberry.field(
        default=None, description="Who acknowledged it last (`acknowledgeDriftIssue`)."
    )
    acknowledged_at: DateTime | None = None
    acknowledged_note: str | None = strawberry.field(default=None, description="Why.")
    assignee: DriftIssueAssignee | None = strawberry.field(
        default=None, description="The person it is assigned to (`assignDriftIssue`)."
    )
    accepted_by: str | None = strawberry.field(
        default=None,
        description="Who accepted its proposed reconciliation (`acceptReconciliation`).",
    )
    accepted_at: DateTime | None = None
    accepted_note: str | None = strawberry.field(default=None, description="Why.")


@strawberry.type(description="A live data source of the running sync, and how it is doing.")
class DataSource:
    source_id: strawberry.ID
    type: str = strawberry.field(description="opcua, modbus, replay or http.")
    endpoint: str | None
    frequency_s: float | None = strawberry.field(description="Its fastest sampling period.")
    connected: bool | None
    reliability: float | None = strawberry.field(
        description="Share of its recent reads, polls and connects that succeeded."
    )
    last_success: DateTime | None
    last_failure: DateTime | None
    last_failure_reason: str | None
    latency_ms_p50: float | None = strawberry.field(description="Median change-to-graph latency.")
    received: int | None
    accepted: int | None
    rejected: int | None
    bindings: int | None
