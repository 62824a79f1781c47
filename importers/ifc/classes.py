"""IFC classes -> twin kinds and Brick classes, from `ontologies/ifc_mapping.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import ifcopenshell
import yaml


@dataclass(frozen=True, slots=True)
class IfcMapping:
    kinds: tuple[tuple[str, str], ...]
    not_nodes: tuple[str, ...]
    brick_classes: dict[str, dict[str, str]]

    def kind(self, entity: ifcopenshell.entity_instance) -> str | None:
        """The twin kind, or None for products that are not nodes (ports)."""
        if any(entity.is_a(c) for c in self.not_nodes):
            return None
        return next((kind for ifc, kind in self.kinds if entity.is_a(ifc)), None)

    def brick_class(
        self, entity: ifcopenshell.entity_instance, type_object: ifcopenshell.entity_instance | None
    ) -> str | None:
        """Brick class of an element, from its class or (IFC2X3) its type's class, and its
        PredefinedType."""
        predefined = _predefined_type(entity, type_object)
        for ifc_class in _candidate_classes(entity, type_object):
            table = self.brick_classes.get(ifc_class)
            if table:
                return table.get(predefined or "", table.get("default"))
        return None


def _candidate_classes(
    entity: ifcopenshell.entity_instance, type_object: ifcopenshell.entity_instance | None
) -> list[str]:
    classes = [entity.is_a()]
    if type_object is not None:
        classes.append(type_object.is_a().removesuffix("Type").removesuffix("Style"))
    return classes


def _predefined_type(
    entity: ifcopenshell.entity_instance, type_object: ifcopenshell.entity_instance | None
) -> str | None:
    for source in (entity, type_object):
        value = getattr(source, "PredefinedType", None) if source is not None else None
        if value and value not in ("NOTDEFINED", "USERDEFINED"):
            return str(value)
    return None


@cache
def ifc_mapping() -> IfcMapping:
    text = resources.files("ontologies").joinpath("ifc_mapping.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return IfcMapping(
        kinds=tuple((rule["ifc"], rule["kind"]) for rule in raw["kinds"]),
        not_nodes=tuple(raw["not_nodes"]),
        brick_classes={k: dict(v) for k, v in raw["brick_classes"].items()},
    )
