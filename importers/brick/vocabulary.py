"""The Brick mapping data: namespaces of every Brick era, relations and the class table.

Loaded once from `ontologies/brick_mapping.yaml` and `ontologies/brick_classes.json`, so an
import never parses the 2 MB Brick ontology itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class RelationRule:
    type: str
    inverse: bool


@dataclass(frozen=True, slots=True)
class BrickClass:
    name: str
    kind: str | None
    """Twin kind; None for value classes (substances, quantities, tags) that are not entities."""
    depth: int


@dataclass(frozen=True, slots=True)
class BrickVocabulary:
    current_namespace: str
    brick_patterns: tuple[re.Pattern[str], ...]
    relation_patterns: tuple[re.Pattern[str], ...]
    tag_patterns: tuple[re.Pattern[str], ...]
    rec_namespace: str
    ref_namespace: str
    unit_namespace: str
    graphtwin_namespace: str
    relations: dict[str, RelationRule]
    relation_iris: dict[str, RelationRule]
    export_relations: dict[str, str]
    classes: dict[str, dict[str, Any]]
    rec_classes: dict[str, dict[str, Any]]
    brick_version: str

    def brick_local_name(self, iri: str) -> str | None:
        """The local name if `iri` is in a Brick class namespace of any era, else None."""
        namespace, local = split_iri(iri)
        if local and any(p.match(namespace) for p in self.brick_patterns):
            return local
        return None

    def rec_local_name(self, iri: str) -> str | None:
        return iri[len(self.rec_namespace) :] if iri.startswith(self.rec_namespace) else None

    def relation(self, iri: str) -> RelationRule | None:
        if iri in self.relation_iris:
            return self.relation_iris[iri]
        namespace, local = split_iri(iri)
        if local in self.relations and any(p.match(namespace) for p in self.relation_patterns):
            return self.relations[local]
        return None

    def is_tag(self, iri: str) -> bool:
        namespace, _ = split_iri(iri)
        return any(p.match(namespace) for p in self.tag_patterns)

    def canonical_class(self, local: str) -> str:
        """The current name of a Brick class: aliases and classes renamed within Brick resolved
        (a class replaced by a RealEstateCore one keeps its Brick name)."""
        seen = {local}
        entry = self.classes.get(local)
        while entry:
            target = entry.get("alias_of") or _brick_replacement(entry.get("replaced_by"))
            if not target or target in seen:
                break
            local, entry = target, self.classes.get(target)
            seen.add(local)
        return local

    def brick_class(self, local: str) -> BrickClass | None:
        entry = self.classes.get(local)
        if entry is None:
            return None
        return BrickClass(local, entry["kind"], entry["depth"])

    def class_named(self, name: str) -> BrickClass | None:
        """A current class by name, ignoring case (`Dead_Band_setpoint` is a `Setpoint`)."""
        exact = self.canonical_class(name)
        if exact in self.classes:
            return self.brick_class(exact)
        folded = self._by_lower().get(name.lower())
        return self.brick_class(self.canonical_class(folded)) if folded else None

    def _by_lower(self) -> dict[str, str]:
        return _lowercase_index(id(self.classes), tuple(self.classes))

    def is_rec_class(self, local: str) -> bool:
        return local in self.rec_classes

    def rec_kind(self, local: str) -> str | None:
        """The twin kind of a REC class; None for REC's value classes (observations, ...)."""
        entry = self.rec_classes.get(local)
        return entry["kind"] if entry else None


@cache
def _lowercase_index(_key: int, names: tuple[str, ...]) -> dict[str, str]:
    return {name.lower(): name for name in sorted(names)}


def split_iri(iri: str) -> tuple[str, str]:
    """Namespace and local name, split after the last '#', else the last '/' or ':'."""
    for separator in ("#", "/", ":"):
        cut = iri.rfind(separator)
        if cut != -1 and cut < len(iri) - 1:
            return iri[: cut + 1], iri[cut + 1 :]
    return "", iri


def _brick_replacement(replaced_by: str | None) -> str | None:
    if replaced_by and ":" not in replaced_by:
        return replaced_by
    return None


@cache
def brick_vocabulary() -> BrickVocabulary:
    ontologies = resources.files("ontologies")
    mapping = yaml.safe_load(ontologies.joinpath("brick_mapping.yaml").read_text("utf-8"))
    table = json.loads(ontologies.joinpath("brick_classes.json").read_text("utf-8"))

    def rules(section: dict[str, dict[str, Any]]) -> dict[str, RelationRule]:
        return {k: RelationRule(v["type"], bool(v.get("inverse"))) for k, v in section.items()}

    return BrickVocabulary(
        current_namespace=mapping["brick_namespaces"]["current"],
        brick_patterns=tuple(map(re.compile, mapping["brick_namespaces"]["patterns"])),
        relation_patterns=tuple(map(re.compile, mapping["relation_namespaces"])),
        tag_patterns=tuple(map(re.compile, mapping["tag_namespaces"])),
        rec_namespace=mapping["rec_namespace"],
        ref_namespace=mapping["ref_namespace"],
        unit_namespace=mapping["unit_namespace"],
        graphtwin_namespace=mapping["graphtwin_namespace"],
        relations=rules(mapping["relations"]),
        relation_iris=rules(mapping["relation_iris"]),
        export_relations=dict(mapping["export_relations"]),
        classes=table["classes"],
        rec_classes=table["rec_classes"],
        brick_version=table["brick_version"],
    )
