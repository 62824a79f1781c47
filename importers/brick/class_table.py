"""Generate `ontologies/brick_classes.json`: every Brick and RealEstateCore class -> twin kind.

An import must not parse the 2 MB Brick ontology (about 2 s), so the mapping is precomputed here
from the Brick ontology that brickschema ships (plus its REC alignment) and committed as data.
Run after a brickschema upgrade; `--check` fails when the shipped file is stale:

    graphtwin schema brick-classes [--check]

Table layout (keys sorted, one class per line so that diffs stay readable):

- `classes`: current Brick classes by local name, each with `kind`, `parents` (direct Brick
  superclasses), `depth` (longest rdfs:subClassOf chain of Brick classes up to brick:Entity or a
  root, which is 0) and, where the ontology says so, `deprecated`, `deprecated_in`,
  `replaced_by` and `alias_of`. Deprecated Brick terms that Brick 1.5 dropped from the class
  hierarchy but still maps to a replacement class (brick:Condenser -> Condensing_Unit) are listed
  too, with the replacement's kind and depth and no parents.
- `rec_classes`: RealEstateCore classes (https://w3id.org/rec#) by local name, each with `kind`,
  `kind_from` (rule, brick, parent or default: how the kind was chosen), `parents` (direct REC
  superclasses), `depth` (in the REC hierarchy), the Brick classes it is linked to (`brick`:
  replaced by, replacing or equivalent to it) and the deprecation fields.
- Name convention for `replaced_by` and `alias_of`: a bare name is a current Brick class (a key of
  `classes`); anything else is `prefix:Local` with the prefix from `prefixes` (`rec:Room`, a key
  of `rec_classes` after the prefix), or the full IRI for a namespace with no prefix there.
- `kind` null: a value class (quantity, substance, tag, relationship, observation), never a node.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, Namespace, URIRef
from rdflib.term import Node

BRICK_VERSION = "1.5"
"""The brickschema ontology version the table is built from (brickschema's own default)."""

BRICK = Namespace("https://brickschema.org/schema/Brick#")
REC = Namespace("https://w3id.org/rec#")
TABLE_FILE = "brick_classes.json"
GENERATED_BY = "graphtwin schema brick-classes"
PREFIXES: dict[str, str] = {
    "brick": str(BRICK),
    "rec": str(REC),
    "qudtqk": "http://qudt.org/vocab/quantitykind/",
    "unit": "http://qudt.org/vocab/unit/",
}

ENTITY = "Entity"
"""The generic kind of physical things that fit no more specific kind."""

# Brick kind rules, most specific first: a class gets the kind of the first rule that names one
# of its ancestors (itself included). rec:Collection counts as a collection because Brick 1.5
# moved System, Loop, Portfolio and friends directly under it (brick:Collection is deprecated).
KIND_RULES: tuple[tuple[str | None, frozenset[URIRef]], ...] = (
    ("Point", frozenset({BRICK.Point})),
    ("Equipment", frozenset({BRICK.Equipment})),
    ("Site", frozenset({BRICK.Site})),
    ("Building", frozenset({BRICK.Building})),
    ("Floor", frozenset({BRICK.Floor, BRICK.Storey})),
    ("Zone", frozenset({BRICK.Zone})),
    ("Space", frozenset({BRICK.Location})),
    ("System", frozenset({BRICK.Collection, BRICK.System, BRICK.Loop, REC.Collection})),
    (
        None,
        frozenset(
            {BRICK.Measurable, BRICK.Substance, BRICK.Quantity, BRICK.Tag, BRICK.Relationship}
            | {RDF.Property}
        ),
    ),
    (ENTITY, frozenset({BRICK.Entity})),
)
# Site, Building, Floor and Zone refine Location: matching one of them and Location is no conflict.
_LOCATION_KINDS = frozenset({"Site", "Building", "Floor", "Zone"})

# REC classes whose kind is fixed rather than derived. The first nine are the lead's rules; the
# rest follow twin.yaml ("Site: a campus, plant or estate"; Person; Document) or mark REC's value
# hierarchies (events and observations, geometry and addresses) as non-entities.
REC_KIND_RULES: dict[str, str | None] = {
    "Building": "Building",
    "Level": "Floor",
    "Room": "Space",
    "Space": "Space",
    "Zone": "Zone",
    "HVACZone": "Zone",
    "Site": "Site",
    "Asset": "Equipment",
    "Architecture": "Space",
    "Campus": "Site",
    "RealEstate": "Site",
    "Person": "Person",
    "Document": "Document",
    "Event": None,
    "Information": None,
}

# Tie-break among several candidate kinds: the Brick rule order, then the REC-only kinds.
_KIND_ORDER: tuple[str | None, ...] = (*(kind for kind, _ in KIND_RULES), "Person", "Document")


@dataclass(frozen=True, slots=True)
class Classification:
    kind: str | None
    categories: tuple[str | None, ...]
    """Every rule the class matched (bar Entity), for the conflict report; Location refinements
    are collapsed into their specific kind."""

    @property
    def conflict(self) -> bool:
        return len(self.categories) > 1


@dataclass(frozen=True, slots=True)
class ClassTableReport:
    table: dict[str, Any]
    conflicts: dict[str, tuple[str | None, ...]]
    """Brick classes whose ancestors fall in several categories, with the categories."""
    unrooted: list[str]
    """Brick classes with no rdfs:subClassOf path to brick:Entity."""


# --- loading ------------------------------------------------------------------------------


def load_brick_ontology(version: str = BRICK_VERSION) -> rdflib.Graph:
    """The Brick ontology and its REC alignment, as packaged with brickschema (no network).

    The alignment shipped with brickschema 0.8 still uses REC 3 namespaces (rec/core/, ...), so
    today it adds no https://w3id.org/rec# class; it is loaded so that a fixed one would count.
    """
    base = resources.files("brickschema").joinpath("ontologies", version)
    graph = rdflib.Graph()
    for part in ("Brick.ttl", "alignments/Brick-REC-alignment.ttl"):
        with base.joinpath(part).open("rb") as stream:
            graph.parse(stream, format="turtle")
    return graph


# --- names --------------------------------------------------------------------------------


def _local(iri: URIRef, namespace: Namespace) -> str | None:
    text = str(iri)
    return text[len(namespace) :] if text.startswith(str(namespace)) and text != namespace else None


def term_name(iri: URIRef) -> str:
    """A current Brick class as its bare local name; anything else as prefix:Local (or the IRI)."""
    local = _local(iri, BRICK)
    if local is not None:
        return local
    for prefix, namespace in PREFIXES.items():
        if str(iri).startswith(namespace):
            return f"{prefix}:{str(iri)[len(namespace) :]}"
    return str(iri)


def _iris(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted(n for n in nodes if isinstance(n, URIRef))


# --- hierarchy ----------------------------------------------------------------------------


class _Hierarchy:
    """rdfs:subClassOf over named classes, with memoised ancestors and depths."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.parents: dict[URIRef, list[URIRef]] = {}
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
                self.parents.setdefault(sub, []).append(sup)
        for sups in self.parents.values():
            sups.sort()
        self._ancestors: dict[URIRef, frozenset[URIRef]] = {}
        self._depths: dict[tuple[URIRef, str], int] = {}

    def parents_in(self, cls: URIRef, namespace: Namespace) -> list[URIRef]:
        return [p for p in self.parents.get(cls, []) if _local(p, namespace) is not None]

    def ancestors(self, cls: URIRef, trail: tuple[URIRef, ...] = ()) -> frozenset[URIRef]:
        """The class and all its superclasses, in any namespace."""
        if cls in self._ancestors:
            return self._ancestors[cls]
        if cls in trail:
            raise ValueError(f"rdfs:subClassOf cycle: {' -> '.join(map(str, (*trail, cls)))}")
        found = {cls}
        for parent in self.parents.get(cls, []):
            found |= self.ancestors(parent, (*trail, cls))
        self._ancestors[cls] = frozenset(found)
        return self._ancestors[cls]

    def depth(self, cls: URIRef, namespace: Namespace, trail: tuple[URIRef, ...] = ()) -> int:
        """Longest chain of superclasses within `namespace`; 0 for a root of that namespace."""
        key = (cls, str(namespace))
        if key in self._depths:
            return self._depths[key]
        if cls in trail:
            raise ValueError(f"rdfs:subClassOf cycle: {' -> '.join(map(str, (*trail, cls)))}")
        parents = self.parents_in(cls, namespace)
        depth = 1 + max(self.depth(p, namespace, (*trail, cls)) for p in parents) if parents else 0
        self._depths[key] = depth
        return depth


def classify(ancestors: frozenset[URIRef]) -> Classification:
    """The kind of a class from its ancestors (itself included), by the first matching rule."""
    matched = [kind for kind, anchors in KIND_RULES if ancestors & anchors]
    categories = [kind for kind in matched if kind != ENTITY]
    if any(kind in _LOCATION_KINDS for kind in categories):
        categories = [kind for kind in categories if kind != "Space"]
    return Classification(matched[0] if matched else None, tuple(categories))


# --- the table ----------------------------------------------------------------------------


def _brick_classes(graph: rdflib.Graph) -> list[URIRef]:
    """Every owl:Class or rdfs:subClassOf participant in the current Brick namespace."""
    found = {s for s in graph.subjects(RDF.type, OWL.Class)}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        found.update((sub, sup))
    return sorted(c for c in found if isinstance(c, URIRef) and _local(c, BRICK) is not None)


def _rec_classes(graph: rdflib.Graph) -> list[URIRef]:
    """Every REC class that the ontology or the alignment declares, subclasses, replaces or
    relates to a Brick class (properties such as rec:value appear in none of these positions)."""
    found = set()
    for class_type in (RDFS.Class, OWL.Class):
        found.update(graph.subjects(RDF.type, class_type))
    for predicate in (RDFS.subClassOf, OWL.equivalentClass, BRICK.isReplacedBy):
        for sub, obj in graph.subject_objects(predicate):
            found.update((sub, obj))
    return sorted(c for c in found if isinstance(c, URIRef) and _local(c, REC) is not None)


def _deprecation(graph: rdflib.Graph, cls: URIRef) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    # Brick writes `owl:deprecated true` (xsd:boolean); accept a plain "true" string as well.
    if any(str(v).lower() == "true" for v in graph.objects(cls, OWL.deprecated)):
        fields["deprecated"] = True
    versions = sorted(str(v) for v in graph.objects(cls, BRICK.deprecatedInVersion))
    if versions:
        fields["deprecated_in"] = versions[0]
    # One replacement per class in Brick 1.5; if a later release lists several, keep the first
    # in IRI order so that the table stays deterministic.
    replacements = _iris(graph.objects(cls, BRICK.isReplacedBy))
    if replacements:
        fields["replaced_by"] = term_name(replacements[0])
    return fields


def _order(kinds: Iterable[str | None]) -> list[str | None]:
    return sorted(set(kinds), key=_KIND_ORDER.index)


def build_class_report(graph: rdflib.Graph) -> ClassTableReport:
    """The class table for a loaded Brick ontology, with what the maintainer should know."""
    hierarchy = _Hierarchy(graph)
    classes: dict[str, dict[str, Any]] = {}
    conflicts: dict[str, tuple[str | None, ...]] = {}
    unrooted: list[str] = []
    brick_kinds: dict[URIRef, str | None] = {}

    for cls in _brick_classes(graph):
        name = term_name(cls)
        ancestors = hierarchy.ancestors(cls)
        found = classify(ancestors)
        brick_kinds[cls] = found.kind
        if found.conflict:
            conflicts[name] = found.categories
        if BRICK.Entity not in ancestors:
            unrooted.append(name)
        entry: dict[str, Any] = {
            "kind": found.kind,
            "parents": [term_name(p) for p in hierarchy.parents_in(cls, BRICK)],
            "depth": hierarchy.depth(cls, BRICK),
        }
        entry.update(_deprecation(graph, cls))
        aliases = _iris(graph.objects(cls, BRICK.aliasOf))
        if aliases:
            entry["alias_of"] = term_name(aliases[0])
        classes[name] = entry

    rec_classes = _rec_table(graph, hierarchy, brick_kinds)
    _add_replaced_terms(graph, classes, rec_classes)
    table = {
        "brick_version": _brick_version(graph),
        "generated_by": GENERATED_BY,
        "prefixes": PREFIXES,
        "classes": classes,
        "rec_classes": rec_classes,
    }
    return ClassTableReport(table, conflicts, unrooted)


def _rec_table(
    graph: rdflib.Graph, hierarchy: _Hierarchy, brick_kinds: dict[URIRef, str | None]
) -> dict[str, dict[str, Any]]:
    rec_classes = _rec_classes(graph)
    links: dict[URIRef, set[URIRef]] = {cls: set() for cls in rec_classes}
    for predicate in (BRICK.isReplacedBy, OWL.equivalentClass):
        for a, b in graph.subject_objects(predicate):
            for rec, brick in ((a, b), (b, a)):
                if rec in links and isinstance(brick, URIRef) and brick in brick_kinds:
                    links[rec].add(brick)

    kinds: dict[URIRef, tuple[str | None, str]] = {}

    def inherited(cls: URIRef) -> str | None:
        parent_kinds = [rec_kind(p)[0] for p in hierarchy.parents_in(cls, REC)]
        parent_kinds += [brick_kinds.get(p) for p in hierarchy.parents_in(cls, BRICK)]
        return _order(parent_kinds)[0] if parent_kinds else None

    def rec_kind(cls: URIRef) -> tuple[str | None, str]:
        if cls in kinds:
            return kinds[cls]
        local = term_name(cls).removeprefix("rec:")
        has_parents = bool(hierarchy.parents_in(cls, REC) or hierarchy.parents_in(cls, BRICK))
        evidence = _order(brick_kinds[b] for b in links[cls])
        if local in REC_KIND_RULES:
            result = (REC_KIND_RULES[local], "rule")
        elif evidence:
            # Linked Brick classes that disagree (rec:ServiceEntrance replaces a Brick lobby and,
            # oddly, Fire_Zone): the REC hierarchy decides if it agrees with one of them.
            parent = inherited(cls) if has_parents else None
            result = (parent if parent in evidence else evidence[0], "brick")
        elif has_parents:
            result = (inherited(cls), "parent")
        else:
            result = (ENTITY, "default")
        kinds[cls] = result
        return result

    table: dict[str, dict[str, Any]] = {}
    for cls in rec_classes:
        depth = hierarchy.depth(
            cls, REC
        )  # first: it raises on a subclass cycle, rec_kind would not
        kind, source = rec_kind(cls)
        entry: dict[str, Any] = {
            "kind": kind,
            "kind_from": source,
            "parents": [term_name(p).removeprefix("rec:") for p in hierarchy.parents_in(cls, REC)],
            "depth": depth,
        }
        if links[cls]:
            entry["brick"] = sorted(term_name(b) for b in links[cls])
        brick_parents = hierarchy.parents_in(cls, BRICK)
        if brick_parents:
            entry["brick_parents"] = [term_name(p) for p in brick_parents]
        entry.update(_deprecation(graph, cls))
        table[term_name(cls).removeprefix("rec:")] = entry
    return table


def _add_replaced_terms(
    graph: rdflib.Graph, classes: dict[str, dict[str, Any]], rec_classes: dict[str, dict[str, Any]]
) -> None:
    """Deprecated Brick terms outside the class hierarchy whose replacement is a class: a model
    written for an older Brick still uses them as types. Chains are followed to a class."""
    pending = {
        term_name(s): s
        for s in _iris(graph.subjects(BRICK.isReplacedBy, None))
        if _local(s, BRICK) is not None and term_name(s) not in classes
    }
    added = True
    while added:
        added = False
        for name, iri in sorted(pending.items()):
            entry = _deprecation(graph, iri)
            target = entry["replaced_by"]
            if ":" not in target:
                known = classes.get(target)
            elif target.startswith("rec:"):
                known = rec_classes.get(target.removeprefix("rec:"))
            else:
                known = None  # a QUDT quantity kind: the deprecated term was a value, not a class
            if known is None:
                continue
            classes[name] = {"kind": known["kind"], "parents": [], "depth": known["depth"], **entry}
            del pending[name]
            added = True


def _brick_version(graph: rdflib.Graph) -> str:
    versions = sorted(
        str(v)
        for ontology in graph.subjects(RDF.type, OWL.Ontology)
        if str(ontology).startswith("https://brickschema.org/schema/")
        for v in graph.objects(ontology, OWL.versionInfo)
    )
    if not versions:
        raise ValueError("the Brick ontology has no owl:versionInfo")
    return versions[-1]


def build_class_table(graph: rdflib.Graph | None = None) -> dict[str, Any]:
    """The table that `ontologies/brick_classes.json` must hold (loads the ontology if needed)."""
    return build_class_report(graph if graph is not None else load_brick_ontology()).table


# --- the file -----------------------------------------------------------------------------


def render(table: dict[str, Any]) -> str:
    """Deterministic JSON: sorted keys, one class per line."""
    lines = ["{"]
    keys = sorted(table)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = table[key]
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            lines.append(f" {json.dumps(key)}: {{")
            names = sorted(value)
            for j, name in enumerate(names):
                inner = "," if j < len(names) - 1 else ""
                entry = json.dumps(value[name], sort_keys=True, ensure_ascii=False)
                lines.append(f"  {json.dumps(name)}: {entry}{inner}")
            lines.append(f" }}{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def shipped_table_path() -> Path:
    """The table inside the source tree (the `ontologies` package), where it is regenerated."""
    return Path(str(resources.files("ontologies").joinpath(TABLE_FILE)))


def summary(report: ClassTableReport) -> list[str]:
    """Human-readable counts for the maintainer (the CLI prints them)."""
    classes = report.table["classes"]
    rec = report.table["rec_classes"]
    kinds = Counter(str(e["kind"]) for e in classes.values())
    rec_kinds = Counter(str(e["kind"]) for e in rec.values())
    lines = [
        f"Brick {report.table['brick_version']}: {len(classes)} classes, "
        f"{sum('deprecated' in e for e in classes.values())} deprecated, "
        f"{sum('alias_of' in e for e in classes.values())} aliases",
        "  kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        f"  {len(report.conflicts)} classes in several categories (first rule wins):",
        *(f"    {name}: {', '.join(map(str, cats))}" for name, cats in report.conflicts.items()),
        f"  {len(report.unrooted)} classes with no path to Entity: {', '.join(report.unrooted)}",
        f"REC: {len(rec)} classes, kinds: "
        + ", ".join(f"{k} {n}" for k, n in sorted(rec_kinds.items())),
    ]
    return lines
