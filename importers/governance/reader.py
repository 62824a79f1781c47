"""Governance file -> TwinGraph: roles, people, regulations with their constraints, procedures.

A selector's explicit `ids` become ordinary relationships (a typo is a dangling reference, and
the import is refused). Its attribute filters (kind, classes, level, `within`) are kept on the
node as `selects_*` properties, with `selects_as` naming the relationship type; the store turns
them into relationships over the whole twin at every import (graphtwin/store/selectors.py), so
a constraint written once applies to every office imported later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.yaml_spec import read_spec
from graphtwin.yamlio import LineIndex
from importers.base import file_source
from importers.governance.schema import GovernanceFile, Selector

_Path = tuple[str | int, ...]
SELECTOR_KEYS = ("kind", "brick_class", "ifc_class", "isa95_level", "within")


def read_governance_file(path: Path, source: SourceInfo, *, source_id_given: bool) -> TwinGraph:
    expected = "a governance file is a mapping with `graphtwin-governance: 1`"
    spec, lines = read_spec(path, GovernanceFile, expected=expected)
    source = file_source(source, spec.source, source_id_given=source_id_given)
    return _Builder(TwinGraph(source), lines).build(spec)


class _Builder:
    def __init__(self, graph: TwinGraph, lines: LineIndex) -> None:
        self.graph = graph
        self.lines = lines

    def build(self, spec: GovernanceFile) -> TwinGraph:
        for i, role in enumerate(spec.roles):
            at = ("roles", i)
            self._node(role.id, "Role", role.name, {"description": role.description}, at)
            self._select(role.id, "RESPONSIBLE_FOR", role.responsible_for, at)
        for i, person in enumerate(spec.people):
            at = ("people", i)
            props = {"email": person.email, "phone": person.phone}
            self._node(person.id, "Person", person.name, props, at)
            for k, role_id in enumerate(person.roles):
                self._link(person.id, "MEMBER_OF", role_id, (*at, "roles", k))
            self._select(person.id, "RESPONSIBLE_FOR", person.responsible_for, at)
        for i, regulation in enumerate(spec.regulations):
            at = ("regulations", i)
            props = {
                "reference": regulation.reference,
                "url": regulation.url,
                "description": regulation.description,
            }
            self._node(regulation.id, "Regulation", regulation.name, props, at)
            self._select(regulation.id, "APPLIES_TO", regulation.applies_to, at)
            for k, constraint in enumerate(regulation.constraints):
                c_at = (*at, "constraints", k)
                props = {
                    "property": constraint.property,
                    "min": constraint.min,
                    "max": constraint.max,
                    "unit": constraint.unit,
                    "severity": constraint.severity,
                    "constraint_type": constraint.type,
                    "when": constraint.when,
                    "description": constraint.description,
                    "regulation": regulation.id,
                }
                name = constraint.name or _describe(constraint.property, props)
                self._node(constraint.id, "Constraint", name, props, c_at)
                self._link(regulation.id, "HAS_PART", constraint.id, c_at)
                self._select(constraint.id, "APPLIES_TO", constraint.applies_to, c_at)
        for i, procedure in enumerate(spec.procedures):
            at = ("procedures", i)
            props = {
                "procedure_type": procedure.type,
                "interval_days": procedure.interval_days,
                "steps": procedure.steps or None,
            }
            self._node(procedure.id, "Procedure", procedure.name, props, at)
            self._select(procedure.id, "APPLIES_TO", procedure.applies_to, at)
            if procedure.responsible_role:
                self._link(procedure.responsible_role, "RESPONSIBLE_FOR", procedure.id, at)
            if procedure.regulation:
                self._link(procedure.regulation, "APPLIES_TO", procedure.id, at)
        return self.graph

    def _node(self, twin_id: str, kind: str, name: str, props: dict[str, Any], at: _Path) -> None:
        present = {k: v for k, v in props.items() if v is not None}
        self.graph.add_node(TwinNode(twin_id, kind, name, present, self.lines.location(at)))

    def _link(self, start: str, rel_type: str, end: str, at: _Path) -> None:
        self.graph.add_relationship(
            TwinRelationship(start, rel_type, end, {}, self.lines.location(at))
        )

    def _select(self, twin_id: str, rel_type: str, selector: Selector | None, at: _Path) -> None:
        if selector is None:
            return
        for k, target in enumerate(selector.ids):
            self._link(twin_id, rel_type, target, (*at, "applies_to", "ids", k))
        if not selector.has_filter:
            return
        props = self.graph.nodes[twin_id].properties
        props["selects_as"] = rel_type
        for key in SELECTOR_KEYS:
            value = getattr(selector, key)
            if value is not None:
                props[f"selects_{key}"] = value


def _describe(prop: str, props: dict[str, Any]) -> str:
    """`zone_air_temperature 20..26 degC` for a constraint without a name."""
    low, high, unit = props.get("min"), props.get("max"), props["unit"]
    if low is not None and high is not None:
        return f"{prop} {low:g}..{high:g} {unit}"
    if low is not None:
        return f"{prop} >= {low:g} {unit}"
    return f"{prop} <= {high:g} {unit}"
