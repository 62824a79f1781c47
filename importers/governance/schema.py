"""The governance file's schema (pydantic), and its JSON Schema for docs and editors.

What the standards do not carry: regulations and the constraints they set, operating and
maintenance procedures, people and roles. Constraints and procedures say what they apply to with
a selector, resolved against the whole twin at every import (see graphtwin/store/selectors.py).

graphtwin-governance: 1
source: riverside-governance            # optional source id (default: governance:<file name>)
roles:
  - {id: role-hvac-tech, name: HVAC technician, responsible_for: {brick_class: Air_Handling_Unit}}
people:
  - {id: person-ada, name: Ada Keller, roles: [role-hvac-tech], email: ada@example.org}
regulations:
  - id: reg-en16798-cat2
    name: EN 16798-1 category II
    constraints:
      - id: en16798-office-temp
        property: zone_air_temperature
        min: 20
        max: 26
        unit: degC
        severity: hard
        when: occupied
        applies_to: {kind: Space, brick_class: Office}
procedures:
  - id: proc-ahu-filter
    name: AHU filter change
    interval_days: 90
    steps: [isolate the fan, replace the filter, log the pressure drop]
    responsible_role: role-hvac-tech
    applies_to: {brick_class: Air_Handling_Unit}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graphtwin.yaml_spec import published_schema

FORMAT_VERSION = 1
SCHEMA_ID = "https://graphtwin.dev/schemas/governance-file-1.json"

Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Selector(_Strict):
    """Which twin entities something applies to. Every field given must hold (AND); `ids` adds
    the entities it names whatever the other fields say."""

    kind: str | None = Field(default=None, description="Twin kind, e.g. Space or Equipment.")
    brick_class: str | None = Field(default=None, description="Brick class local name.")
    ifc_class: str | None = Field(default=None, description="IFC class, e.g. IfcSpace.")
    isa95_level: str | None = Field(default=None, description="ISA-95 equipment level.")
    within: str | None = Field(
        default=None,
        description="twin_id of a subtree root: only entities contained in it (CONTAINS, "
        "HAS_PART, LOCATED_IN), the root included.",
    )
    ids: list[str] = Field(default_factory=list, description="Explicit twin_ids.")

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not self.has_filter and not self.ids:
            raise ValueError(
                "a selector needs at least one of kind, brick_class, ifc_class, isa95_level, "
                "within or ids"
            )
        return self

    @property
    def has_filter(self) -> bool:
        """True when the selector matches by attributes, not only by explicit ids."""
        return bool(
            self.kind or self.brick_class or self.ifc_class or self.isa95_level or self.within
        )


class ConstraintSpec(_Strict):
    """A limit on a property: a range (`min`/`max`) or a single bound, with its unit."""

    id: str = Field(min_length=1, description="twin_id of the constraint.")
    name: str | None = None
    property: str = Field(
        min_length=1,
        description="The property (or point quantity) constrained, e.g. zone_air_temperature.",
    )
    min: float | None = Field(default=None, description="Lowest allowed value.")
    max: float | None = Field(default=None, description="Highest allowed value.")
    unit: str = Field(min_length=1, description="Unit of min and max, e.g. degC, m3/s, ppm.")
    severity: Literal["hard", "soft"] = Field(
        description="hard: must never be broken; soft: a target, reported but tolerated."
    )
    type: Literal["range", "capacity"] = Field(
        default="range",
        description="range: the value itself; capacity: a parent's limit compared with the sum "
        "of its children's demand.",
    )
    when: str | None = Field(default=None, description="Condition, e.g. occupied.")
    description: str | None = None
    applies_to: Selector = Field(description="What the constraint applies to.")

    @model_validator(mode="after")
    def _bounded(self) -> ConstraintSpec:
        if self.min is None and self.max is None:
            raise ValueError("a constraint needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class RegulationSpec(_Strict):
    id: str = Field(min_length=1, description="twin_id of the regulation.")
    name: str = Field(min_length=1)
    reference: str | None = Field(
        default=None, description="Standard and clause, e.g. EN 16798-1:2019 Table B.2."
    )
    url: str | None = None
    description: str | None = None
    applies_to: Selector | None = Field(default=None, description="What the regulation governs.")
    constraints: list[ConstraintSpec] = Field(default_factory=list)


class ProcedureSpec(_Strict):
    id: str = Field(min_length=1, description="twin_id of the procedure.")
    name: str = Field(min_length=1)
    type: Literal["operating", "maintenance", "inspection", "emergency"] = "maintenance"
    interval_days: int | None = Field(default=None, gt=0, description="How often it is due.")
    steps: list[str] = Field(default_factory=list)
    responsible_role: str | None = Field(default=None, description="twin_id of the Role.")
    regulation: str | None = Field(default=None, description="twin_id of the Regulation it serves.")
    applies_to: Selector = Field(description="What the procedure is carried out on.")


class RoleSpec(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str | None = None
    responsible_for: Selector | None = None


class PersonSpec(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str | None = None
    phone: str | None = None
    roles: list[str] = Field(default_factory=list, description="twin_ids of the Roles held.")
    responsible_for: Selector | None = None


class GovernanceFile(_Strict):
    graphtwin_governance: Literal[1] = Field(
        alias="graphtwin-governance", description="Format version of the governance file."
    )
    source: str | None = Field(
        default=None,
        min_length=1,
        description="Source id this file imports as (default: governance:<file name>).",
    )
    description: str | None = None
    roles: list[RoleSpec] = Field(default_factory=list)
    people: list[PersonSpec] = Field(default_factory=list)
    regulations: list[RegulationSpec] = Field(default_factory=list)
    procedures: list[ProcedureSpec] = Field(default_factory=list)


def governance_json_schema() -> dict[str, Any]:
    return published_schema(
        GovernanceFile.model_json_schema(by_alias=True),
        schema_id=SCHEMA_ID,
        title="graphtwin governance file",
    )
