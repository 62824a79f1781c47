"""Equipment levels and hierarchy scopes: where something sits in the role-based hierarchy.

Every level value in the document is checked against the ISA-95 enumeration before anything
is mapped, wherever it appears (an equipment's own level, a schedule's hierarchy scope, a
production schedule's EquipmentElementLevel): a misspelt level means the document cannot be
placed in the hierarchy, and importing it anyway would hide that. Matching ignores case and
surrounding spaces; `Other` keeps its `OtherValue` attribute.

The versions put the level in different places: V0400/V0401 in the equipment's `Location`,
V0600 in `EquipmentLevel` (a hierarchy scope with EquipmentID and EquipmentElementLevel), V0700
and BatchML in a plain `EquipmentLevel` / `EquipmentElementLevel` text.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.errors import InvalidEnumerationError
from importers.isa95.document import Element, Isa95Document, clean
from importers.isa95.mapping import Isa95Mapping

LEVEL_NAMES = ("EquipmentElementLevel", "EquipmentLevel")
_NESTED_SCOPES = ("HierarchyScope", "HierarchyScopeChild", "Location")


@dataclass(frozen=True, slots=True)
class Level:
    value: str
    """The canonical enumeration value (ProcessCell)."""
    other: str | None = None
    """The OtherValue attribute of an `Other` level."""


@dataclass(frozen=True, slots=True)
class ScopeStep:
    equipment_id: str
    level: Level | None
    element: Element


@dataclass(frozen=True, slots=True)
class Scope:
    """A HierarchyScope (or V04 Location): a path down the equipment hierarchy. Nested scopes
    (V0700 calls them HierarchyScopeChild) go from the outer, higher element to the inner one;
    the innermost is the element the scope names."""

    path: tuple[ScopeStep, ...]

    @property
    def target(self) -> ScopeStep:
        return self.path[-1]

    @property
    def parent(self) -> ScopeStep | None:
        """The element above the target, when the path names one."""
        return self.path[-2] if len(self.path) > 1 else None


def check_levels(doc: Isa95Document, mapping: Isa95Mapping) -> None:
    """Refuse the document if any level value is not an ISA-95 equipment level."""
    allowed = ", ".join(mapping.levels)
    for element in doc.iter(LEVEL_NAMES):
        if len(element):
            continue
        value = clean(element.text) or ""
        if mapping.canonical_level(value) is None:
            shown = repr(value) if value else "an empty value"
            raise InvalidEnumerationError(
                f"{shown} is not an ISA-95 equipment level (one of {allowed})",
                location=doc.where(element),
                entity=doc.path(element),
            )


def level_value(doc: Isa95Document, mapping: Isa95Mapping, element: Element) -> Level | None:
    """The level an `EquipmentElementLevel` / `EquipmentLevel` element states (text, or a scope
    holding one)."""
    if len(element):
        inner = next(iter(doc.children(element, LEVEL_NAMES)), None)
        return level_value(doc, mapping, inner) if inner is not None else None
    canonical = mapping.canonical_level(clean(element.text) or "")
    if canonical is None:
        return None
    return Level(canonical, element.get("OtherValue") or None)


def read_scope(doc: Isa95Document, mapping: Isa95Mapping, element: Element) -> Scope | None:
    steps: list[ScopeStep] = []
    current: Element | None = element
    while current is not None:
        equipment_id = doc.text(current, "EquipmentID")
        if equipment_id is None:
            break
        level_element = next(iter(doc.children(current, LEVEL_NAMES)), None)
        level = level_value(doc, mapping, level_element) if level_element is not None else None
        steps.append(ScopeStep(equipment_id, level, current))
        current = next(iter(doc.children(current, _NESTED_SCOPES)), None)
    return Scope(tuple(steps)) if steps else None


def scope_of(doc: Isa95Document, mapping: Isa95Mapping, element: Element) -> Scope | None:
    """The object's own HierarchyScope, or its deprecated Location."""
    for name in mapping.names("hierarchy_scope"):
        found = doc.child(element, name)
        if found is not None:
            return read_scope(doc, mapping, found)
    return None


def scope_properties(scope: Scope | None) -> dict[str, str]:
    """`isa95_scope` (the EquipmentID a scope names) and `isa95_scope_level`, for the record."""
    if scope is None:
        return {}
    props = {"isa95_scope": scope.target.equipment_id}
    if scope.target.level is not None:
        props["isa95_scope_level"] = scope.target.level.value
    return props
