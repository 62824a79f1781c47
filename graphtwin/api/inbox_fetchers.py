"""The inbox for the API (`inbox`): graphtwin.inbox's ranked items as records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record
from graphtwin.inbox import InboxItem, read_inbox


def item_record(item: InboxItem) -> Record:
    """An inbox item as the `InboxItem` type reads it."""
    impact, urgency = item.impact, item.urgency
    return {
        "item_id": item.item_id,
        "source": item.source,
        "type": item.type,
        "severity": item.severity,
        "title": item.title,
        "twin_id": item.twin_id,
        "name": item.name,
        "node_kind": item.node_kind,
        "score": item.score,
        "impact": {
            "score": impact.score,
            "criticality": impact.criticality,
            "zones": impact.zones,
            "people": impact.people,
            "hard_constraints": impact.hard_constraints,
            "soft_constraints": impact.soft_constraints,
            "explanation": impact.explain(),
        },
        "urgency": {
            "score": urgency.score,
            "clock": urgency.clock,
            "hours": round(urgency.hours, 3),
            "probability": urgency.probability,
            "explanation": urgency.explain(),
        },
        "because": list(item.because),
        "evidence": item.evidence,
        "status": item.status,
        "issue_id": item.issue_id,
        "assignee": item.assignee,
        "proposal": item.proposal,
        "detected_at": item.detected_at,
        "run_id": item.run_id,
    }


async def inbox(
    ctx: ApiContext, parents: Sequence[Any], *, scope: str | None, first: int
) -> list[Any]:
    async with ctx.neo4j_slot(expensive=True):
        items = await read_inbox(
            ctx.services.driver,
            ctx.services.database,
            scope=scope,
            first=first,
            timeout_s=ctx.remaining_s(),
            cache=ctx.services.violations,
        )
    records = [item_record(i) for i in items]
    return [records for _ in parents]
