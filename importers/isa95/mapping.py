"""The ISA-95 mapping data (`ontologies/isa95_mapping.yaml`), loaded once and indexed for lookups.

Versions, equipment levels, element names and Brick classes are data, not code, so a producer's
spelling or a new schema release is a change to the YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_NOT_KEY = re.compile(r"[\s_\-.]+")


def normalise(text: str) -> str:
    """How IDs are compared in the convention tables: case, `_`, `-`, `.` and spaces ignored."""
    return _NOT_KEY.sub("", text).casefold()


@dataclass(frozen=True, slots=True)
class Isa95Mapping:
    versions: dict[str, str]
    """Lowercased root namespace -> version label."""
    levels: dict[str, str]
    """Equipment level (canonical spelling) -> twin kind."""
    default_equipment_kind: str
    elements: dict[str, frozenset[str]]
    documents: dict[str, str]
    """Document element name -> twin id prefix, for containers and entries alike."""
    document_containers: frozenset[str]
    recipes: dict[str, str]
    recipe_elements: frozenset[str]
    recipe_markers: frozenset[str]
    batch_records: dict[str, str]
    """Batch production record element name -> twin id prefix."""
    responsible_for: frozenset[str]
    tag_properties: frozenset[str]
    integer_types: frozenset[str]
    number_types: frozenset[str]
    boolean_types: frozenset[str]
    no_unit: frozenset[str]
    brick_classes: dict[str, str]
    """Normalised EquipmentClassID -> Brick class."""
    brick_table: dict[str, str]
    """The table as written, for the test that checks it against Brick."""

    def version(self, namespace: str) -> str | None:
        return self.versions.get(namespace.casefold())

    def canonical_level(self, value: str) -> str | None:
        """The enumeration value `value` spells (case-insensitively), or None."""
        return self._levels_folded.get(value.strip().casefold())

    @property
    def _levels_folded(self) -> dict[str, str]:
        return _folded_levels(tuple(self.levels))

    def names(self, concept: str) -> frozenset[str]:
        return self.elements[concept]

    def brick_class(self, class_ids: list[str]) -> str | None:
        """Brick class of the first EquipmentClassID the table knows."""
        for class_id in class_ids:
            found = self.brick_classes.get(normalise(class_id))
            if found:
                return found
        return None


@cache
def _folded_levels(levels: tuple[str, ...]) -> dict[str, str]:
    return {level.casefold(): level for level in levels}


@cache
def isa95_mapping() -> Isa95Mapping:
    text = resources.files("ontologies").joinpath("isa95_mapping.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    documents = raw["documents"]
    types = raw["data_types"]
    return Isa95Mapping(
        versions={ns.casefold(): label for ns, label in raw["versions"].items()},
        levels=dict(raw["levels"]),
        default_equipment_kind=raw["default_equipment_kind"],
        elements={concept: frozenset(names) for concept, names in raw["elements"].items()},
        documents={**documents["containers"], **documents["entries"]},
        document_containers=frozenset(documents["containers"]),
        recipes=dict(raw["recipes"]),
        recipe_elements=frozenset(raw["recipe_elements"]),
        recipe_markers=frozenset(raw["recipe_markers"]),
        batch_records=dict(raw["batch_records"]),
        responsible_for=frozenset(normalise(p) for p in raw["responsible_for_properties"]),
        tag_properties=frozenset(normalise(p) for p in raw["tag_properties"]),
        integer_types=frozenset(t.casefold() for t in types["integer"]),
        number_types=frozenset(t.casefold() for t in types["number"]),
        boolean_types=frozenset(t.casefold() for t in types["boolean"]),
        no_unit=frozenset(u.casefold() for u in raw["no_unit"]),
        brick_classes={normalise(k): v for k, v in raw["brick_classes"].items()},
        brick_table=dict(raw["brick_classes"]),
    )
