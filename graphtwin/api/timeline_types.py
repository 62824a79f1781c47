"""GraphQL types of the twin's timeline: what changed between two times (`twinDiff`)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graphtwin.api.scalars import DateTime


@strawberry.type(description="A twin node added, removed or changed between the two times.")
class NodeChange:
    twin_id: strawberry.ID
    kind: str | None
    change: str = strawberry.field(description="added, removed or changed.")
    keys: list[str] = strawberry.field(
        description="The properties that differ (all of an added or removed node's)."
    )
    old: JSON = strawberry.field(description="Their values at `from` (by key).")
    new: JSON = strawberry.field(description="Their values at `to` (by key).")
    sources: list[str] = strawberry.field(
        description="The import sources (or actors) whose changes made the difference."
    )
    runs: list[str] = strawberry.field(description="The import runs (or operations) that did.")


@strawberry.type(description="A relationship added, removed or changed between the two times.")
class RelationshipChange:
    start: strawberry.ID
    type: str
    end: strawberry.ID
    change: str = strawberry.field(description="added, removed or changed.")
    keys: list[str]
    old: JSON
    new: JSON
    sources: list[str]
    runs: list[str]


@strawberry.type(description="Node changes, by what happened to them.")
class NodeChanges:
    added: list[NodeChange]
    removed: list[NodeChange]
    changed: list[NodeChange]


@strawberry.type(description="Relationship changes, by what happened to them.")
class RelationshipChanges:
    added: list[RelationshipChange]
    removed: list[RelationshipChange]
    changed: list[RelationshipChange]


@strawberry.type(description="A point's value at each time (null: none within the look-back).")
class ValueReading:
    value: float
    at: DateTime
    quality: str
    source: str = strawberry.field(description="The data source that wrote it (the sync's).")


@strawberry.type(description="A point whose value differs between the two times.")
class ValueChange:
    twin_id: strawberry.ID
    old: ValueReading | None
    new: ValueReading | None


@strawberry.type(description="What changed in the twin between two times (docs/history.md).")
class TwinDiff:
    from_: Annotated[DateTime, strawberry.field(name="from")]
    to: DateTime
    root: strawberry.ID | None = strawberry.field(
        description="Only what lay below it (at `to`; at `from` for what was removed)."
    )
    nodes: NodeChanges
    relationships: RelationshipChanges
    values: list[ValueChange] = strawberry.field(
        description="With `values: true`: the points whose value differs (else empty)."
    )
