"""GraphQL types of constraint propagation: effective constraints, violations, capacity."""

from __future__ import annotations

import strawberry


@strawberry.type(description="One step of a because chain: `from` --relation--> `to`.")
class BecauseStep:
    from_id: str
    relation: str
    to_id: str
    reverse: bool = strawberry.field(description="Stored as to -> from (e.g. LOCATED_IN).")
    from_name: str | None
    to_name: str | None
    selector: str | None = strawberry.field(description="APPLIES_TO made by this selector.")
    sources: list[str] = strawberry.field(description="APPLIES_TO asserted by these sources.")
    text: str = strawberry.field(description="The step as a person reads it.")


@strawberry.type(description="A constraint that reaches a node, and why.")
class ConstraintContribution:
    constraint_id: str
    name: str
    property: str
    min: float | None
    max: float | None
    unit: str
    severity: str = strawberry.field(description="hard (never break) or soft (a target).")
    constraint_type: str = strawberry.field(description="range or capacity.")
    when: str | None = strawberry.field(description="Condition it holds under, e.g. occupied.")
    regulation: str | None
    reaches_by: str = strawberry.field(
        description="own (applies to the node), inherited (from an ancestor) or regulation."
    )
    because: list[BecauseStep] = strawberry.field(
        description="From the regulation, through the ancestors, to the node."
    )
    explanation: str = strawberry.field(description="The chain as one line.")


@strawberry.type(description="An effective bound and the constraints that set it.")
class ConstraintBound:
    value: float
    constraint_ids: list[str]
    severity: str


@strawberry.type(description="A problem combining constraints (a conflict, or a soft bound "
                 "outside the hard range).")  # fmt: skip
class ConstraintIssue:
    kind: str = strawberry.field(
        description="empty_range or unit (conflicts), soft_outside_hard, soft_empty."
    )
    constraint_ids: list[str]
    message: str
    conflicting: bool


@strawberry.type(description="What a node must satisfy for one property (and condition): hard "
                 "bounds intersected, the tightest wins; soft bounds as targets.")  # fmt: skip
class EffectiveConstraint:
    property: str
    constraint_type: str
    when: str | None
    unit: str | None
    min: ConstraintBound | None
    max: ConstraintBound | None
    target_min: ConstraintBound | None
    target_max: ConstraintBound | None
    conflict: bool = strawberry.field(description="The hard bounds cannot all hold.")
    issues: list[ConstraintIssue]
    contributions: list[ConstraintContribution]


@strawberry.type(description="A child's share of a parent's capacity.")
class CapacityDemand:
    child: str
    value: float
    through: list[str] = strawberry.field(description="Nodes looked through (a duct, a riser).")


@strawberry.type(description="A child whose demand is not known (not counted as zero).")
class MissingDemand:
    child: str
    reason: str
    through: list[str]


@strawberry.type(description="A parent's capacity against the sum of its children's demand.")
class CapacityCheck:
    twin_id: str
    constraint: ConstraintContribution
    property: str
    unit: str
    min: float | None
    max: float | None
    total: float
    violated: bool
    complete: bool = strawberry.field(description="Every child's demand is known.")
    demands: list[CapacityDemand]
    missing: list[MissingDemand]
    description: str


@strawberry.type(description="A current value that breaks an effective constraint.")
class Violation:
    kind: str = strawberry.field(description="range or capacity.")
    twin_id: str = strawberry.field(description="The governed node.")
    property: str
    value: float
    unit: str | None
    bound: str = strawberry.field(description="min or max: the bound broken.")
    limit: float
    limit_unit: str | None
    severity: str
    when: str | None
    point: str | None = strawberry.field(description="The point that observed the value.")
    point_class: str | None
    at: str | None = strawberry.field(description="When the value was observed (ISO 8601).")
    constraints: list[ConstraintContribution]
    because: list[BecauseStep]
    observed_via: list[BecauseStep] = strawberry.field(
        description="How the point observes the node (e.g. the VAV that feeds the room)."
    )
    capacity: CapacityCheck | None
    description: str
