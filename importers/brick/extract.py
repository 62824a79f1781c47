"""rdflib graph -> TwinGraph: which subjects are twin entities, their kind, class, properties
and relationships.

Entities are the subjects typed with a class of Brick (any era), RealEstateCore, or a class the
file itself declares a subclass of one of those, plus the untyped things that Brick relations
point at (kept with kind Entity, never dropped). Classes defined in the file (an embedded
ontology) are not entities. Every class is normalised to its current Brick local name and mapped
to a kind through the precomputed class table; what cannot be mapped is kept and reported.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, BNode, Literal, URIRef
from rdflib.term import Node

from graphtwin.errors import SourceLocation
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.brick.relations import refine
from importers.brick.vocabulary import BrickVocabulary, brick_vocabulary, split_iri

GENERIC_KIND = "Entity"
_CLASS_TYPES = (OWL.Class, RDFS.Class)
_IGNORED_TYPES = {OWL.NamedIndividual, OWL.Thing, RDFS.Resource}
_LABEL = RDFS.label
_VALUE_NAMESPACES = (
    "http://qudt.org/vocab/unit/",
    "http://qudt.org/vocab/quantitykind/",
)
"""IRIs in these namespaces become their local name as a property value (units, quantities)."""
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class ClassInfo:
    kind: str | None
    depth: int
    brick_class: str | None
    """The current Brick class this class is, or is the nearest known subclass of."""
    rec_class: str | None
    how: str
    """"brick" or "rec": a current class; "inherited": via the file's own subClassOf;
    "named": implied by its name; "unknown": nothing known, kept with the generic kind."""

    @property
    def known(self) -> bool:
        return self.how in ("brick", "rec")


@dataclass(slots=True)
class Extraction:
    graph: TwinGraph
    warnings: list[str] = field(default_factory=list)


class _Extractor:
    def __init__(self, rdf: rdflib.Graph, scope: set[Node] | None) -> None:
        self.rdf = rdf
        self.scope = scope
        self.vocab: BrickVocabulary = brick_vocabulary()
        self.parents: dict[Node, set[Node]] = defaultdict(set)
        for sub, sup in rdf.subject_objects(RDFS.subClassOf):
            self.parents[sub].add(sup)
        for a, b in rdf.subject_objects(OWL.equivalentClass):
            self.parents[a].add(b)
            self.parents[b].add(a)
        self.classes = {s for t in _CLASS_TYPES for s in rdf.subjects(RDF.type, t)}
        self.classes.update(self.parents)
        self._class_cache: dict[Node, ClassInfo | None] = {}
        self.class_notes: dict[str, Counter[str]] = defaultdict(Counter)
        self.notes: Counter[str] = Counter()

    # --- classes --------------------------------------------------------------------------

    def class_info(self, cls: Node, trail: frozenset[Node] = frozenset()) -> ClassInfo | None:
        if cls in self._class_cache:
            return self._class_cache[cls]
        info = self._resolve_class(cls, trail | {cls})
        if not trail:  # only cache complete answers, not ones cut short by a cycle
            self._class_cache[cls] = info
        return info

    def _resolve_class(self, cls: Node, trail: frozenset[Node]) -> ClassInfo | None:
        if not isinstance(cls, URIRef) or cls in _IGNORED_TYPES:
            return None
        iri = str(cls)
        local = self.vocab.brick_local_name(iri)
        if local is not None:
            name = self.vocab.canonical_class(local)
            known = self.vocab.brick_class(name)
            if known is not None:
                return ClassInfo(known.kind, known.depth, name, None, "brick")
            return (
                self._inherit(cls, trail)
                or self.implied_by_name(local)
                or ClassInfo(GENERIC_KIND, 0, None, None, "unknown")
            )
        rec = self.vocab.rec_local_name(iri)
        if rec is not None:
            if not self.vocab.is_rec_class(rec):
                return ClassInfo(GENERIC_KIND, 0, None, rec, "unknown")
            return ClassInfo(self.vocab.rec_kind(rec), 1, None, rec, "rec")
        return self._inherit(cls, trail)  # a class of the model's own, under Brick or REC

    def _inherit(self, cls: Node, trail: frozenset[Node]) -> ClassInfo | None:
        best: ClassInfo | None = None
        for parent in self.parents.get(cls, ()):
            if parent in trail:
                continue
            info = self.class_info(parent, trail)
            if info is not None and info.kind is not None and (best is None or _better(info, best)):
                best = info
        if best is None:
            return None
        return ClassInfo(best.kind, best.depth + 1, best.brick_class, best.rec_class, "inherited")

    def implied_by_name(self, local: str) -> ClassInfo | None:
        """Brick names a class after its superclass (`Supply_Air_Temperature_Sensor` is a
        `Temperature_Sensor`): the longest known class the name ends with."""
        tokens = local.split("_")
        for start in range(1, len(tokens)):
            known = self.vocab.class_named("_".join(tokens[start:]))
            if known is not None and known.kind is not None:
                return ClassInfo(known.kind, known.depth + 1, known.name, None, "named")
        return None

    # --- entities -------------------------------------------------------------------------

    def infos_of(self, subject: Node, graph: rdflib.Graph) -> list[ClassInfo]:
        infos = (self.class_info(cls) for cls in graph.objects(subject, RDF.type))
        return [i for i in infos if i is not None]

    def entity_types(self) -> dict[Node, list[ClassInfo]]:
        typed: dict[Node, list[ClassInfo]] = defaultdict(list)
        for subject, cls in self.rdf.subject_objects(RDF.type):
            if subject in self.classes or (self.scope is not None and subject not in self.scope):
                continue
            info = self.class_info(cls)
            if info is None and isinstance(cls, URIRef) and _same_namespace(subject, cls):
                # A class the model made for itself (its own namespace): kept, named like
                # Brick's where it can be.
                info = self.implied_by_name(split_iri(str(cls))[1]) or ClassInfo(
                    GENERIC_KIND, 0, None, None, "unknown"
                )
            if info is not None:
                typed[subject].append(info)
                if info.how in ("named", "unknown"):
                    self.class_notes[info.how][str(cls)] += 1
        # A thing typed only with value classes (a substance, a quantity) is not an entity.
        return {s: infos for s, infos in typed.items() if any(i.kind for i in infos)}


def extract(
    rdf: rdflib.Graph,
    source: SourceInfo,
    *,
    asserted: rdflib.Graph | None = None,
    locate: Callable[[Node], SourceLocation | None] | None = None,
) -> Extraction:
    """Map an RDF graph to a twin graph. After inference, `rdf` is the expanded graph (with the
    whole Brick ontology) and `asserted` the model as written: entities are looked for among its
    subjects, and values and original classes are read from it, so inference adds structure
    (classes, inverse relations) but never changes what a node says. `locate` gives each
    entity its place in the file (file and line), which every error about it names."""
    scope = set(asserted.subjects()) if asserted is not None else None
    ex = _Extractor(rdf, scope)
    written = asserted if asserted is not None else rdf
    vocab = ex.vocab
    typed = ex.entity_types()

    # Untyped things that Brick relations point at are kept, as generic entities.
    rules = {p: vocab.relation(str(p)) for p in set(rdf.predicates()) if isinstance(p, URIRef)}
    relation_triples = [
        (s, rule, o)
        for p, rule in rules.items()
        if rule is not None
        for s, o in rdf.subject_objects(p)
    ]
    untyped: dict[Node, None] = {}
    for s, _rule, o in relation_triples:
        if s not in typed and o not in typed:
            continue  # neither end is a twin entity
        for end in (s, o):
            if end in typed or isinstance(end, Literal) or end in ex.classes:
                continue
            untyped[end] = None
    entities = _twin_ids([*typed, *untyped], rdf, written)

    kinds: dict[Node, str] = {}
    nodes: dict[Node, TwinNode] = {}
    for subject, infos in typed.items():
        primary = max((i for i in infos if i.kind), key=_rank)
        kinds[subject] = primary.kind or GENERIC_KIND
        # After inference a subject has every superclass too: list only what the model says.
        own = infos if asserted is None else ex.infos_of(subject, written) or infos
        nodes[subject] = _node(subject, entities[subject], primary, own, written)
    for end in untyped:
        kinds[end] = GENERIC_KIND
        nodes[end] = _node(end, entities[end], None, [], written)
        ex.notes["untyped"] += 1
    if locate is not None:
        for subject, node in nodes.items():
            node.location = locate(subject)

    graph = TwinGraph(source)
    for subject, node in nodes.items():
        node.properties.update(_properties(subject, written, vocab, entities, ex.notes))
        graph.add_node(node)

    for s, rule, o in relation_triples:
        if s not in entities or o not in entities:
            continue
        if s == o:
            continue  # OWL-RL inference makes everything sameAs itself
        start, end = (o, s) if rule.inverse else (s, o)
        start_id, rel_type, end_id = refine(
            entities[start], kinds[start], rule.type, entities[end], kinds[end]
        )
        location = nodes[s].location
        graph.add_relationship(TwinRelationship(start_id, rel_type, end_id, location=location))

    return Extraction(graph, _warnings(ex))


# --- nodes --------------------------------------------------------------------------------


_TRUST = {"brick": 4, "rec": 3, "inherited": 2, "named": 1, "unknown": 0}


def _rank(info: ClassInfo) -> tuple[int, int, int]:
    """Prefer current classes, then those known through the file, then names; Brick over REC;
    then the most specific."""
    return (_TRUST[info.how], int(info.brick_class is not None), info.depth)


def _same_namespace(subject: Node, cls: URIRef) -> bool:
    """Whether both IRIs belong to one document (the part before '#', else before the last
    '/'): a model's own classes and its entities share it."""
    return isinstance(subject, URIRef) and _document(str(subject)) == _document(str(cls))


def _document(iri: str) -> str:
    return iri.split("#", 1)[0] if "#" in iri else iri.rsplit("/", 1)[0]


def _better(a: ClassInfo, b: ClassInfo) -> bool:
    return _rank(a) > _rank(b)


def _twin_ids(subjects: list[Node], rdf: rdflib.Graph, written: rdflib.Graph) -> dict[Node, str]:
    """An IRI is its own id: stable across re-imports. A blank node gets an id from its content
    (what it says, blank nodes left out). Blank nodes with the same content are told apart by
    what refers to them and then by their order in the file (the order rdflib read them): the
    first keeps the plain id, the others get `-2`, `-3`... So ids are distinct, and stable
    across re-imports of the same file."""
    ids: dict[Node, str] = {}
    alike: dict[str, list[Node]] = defaultdict(list)
    for subject in subjects:
        if isinstance(subject, BNode):
            alike[_content_id(subject, rdf)].append(subject)
        else:
            ids[subject] = str(subject)
    if not alike:
        return ids
    order = {s: i for i, s in enumerate(dict.fromkeys(written.subjects()))}
    for base, group in alike.items():
        group.sort(key=lambda b: (_referrers(b, rdf), order.get(b, len(order))))
        for position, blank in enumerate(group, start=1):
            ids[blank] = base if position == 1 else f"{base}-{position}"
    return ids


def _content_id(node: Node, rdf: rdflib.Graph) -> str:
    content = sorted(f"{p} {o}" for p, o in rdf.predicate_objects(node) if not isinstance(o, BNode))
    digest = hashlib.blake2b("\n".join(content).encode(), digest_size=10).hexdigest()
    return f"_:brick-{digest}"


def _referrers(node: Node, rdf: rdflib.Graph) -> list[str]:
    """The named things that point at a blank node, and how (blank referrers left out)."""
    return sorted(f"{s} {p}" for s, p in rdf.subject_predicates(node) if not isinstance(s, BNode))


def _node(
    subject: Node,
    twin_id: str,
    primary: ClassInfo | None,
    infos: list[ClassInfo],
    rdf: rdflib.Graph,
) -> TwinNode:
    vocab = brick_vocabulary()
    props: dict[str, Any] = {}
    if isinstance(subject, URIRef):
        props["uri"] = str(subject)
    brick_classes = sorted({i.brick_class for i in infos if i.brick_class})
    rec_classes = sorted({i.rec_class for i in infos if i.rec_class})
    if primary is not None and primary.brick_class:
        props["brick_class"] = primary.brick_class
    elif brick_classes:
        props["brick_class"] = brick_classes[0]
    if len(brick_classes) > 1:
        props["brick_classes"] = brick_classes
    if rec_classes:
        props["rec_class"] = rec_classes[0] if len(rec_classes) == 1 else rec_classes
    types = sorted(str(t) for t in rdf.objects(subject, RDF.type) if t not in _IGNORED_TYPES)
    canonical = {vocab.current_namespace + c for c in brick_classes}
    canonical |= {vocab.rec_namespace + c for c in rec_classes}
    if any(t not in canonical for t in types):
        props["rdf_types"] = types  # the original typing, where it was not already current
    kind = (primary.kind if primary else None) or GENERIC_KIND
    return TwinNode(twin_id, kind, _name(subject, twin_id, rdf), props)


def _name(subject: Node, twin_id: str, rdf: rdflib.Graph) -> str:
    labels = sorted(str(label) for label in rdf.objects(subject, _LABEL) if str(label).strip())
    if labels:
        return labels[0]
    return split_iri(twin_id)[1] or twin_id


# --- properties ---------------------------------------------------------------------------


def _properties(
    subject: Node,
    rdf: rdflib.Graph,
    vocab: BrickVocabulary,
    entities: dict[Node, str],
    notes: Counter[str],
) -> dict[str, Any]:
    values: dict[str, list[Any]] = defaultdict(list)
    labels = sorted(str(o) for o in rdf.objects(subject, _LABEL))
    if len(labels) > 1:
        values["labels"] = labels
    for predicate, obj in rdf.predicate_objects(subject):
        if predicate in (RDF.type, _LABEL) or not isinstance(predicate, URIRef):
            continue
        iri = str(predicate)
        if vocab.relation(iri) is not None and obj in entities:
            continue  # a relationship, not a property
        key = _key(iri, vocab)
        if isinstance(obj, BNode):
            for sub_key, value in _flatten(key, obj, rdf, vocab):
                values[sub_key].append(value)
        elif isinstance(obj, Literal):
            values[key].append(_literal(obj))
        elif obj in entities:
            values[key].append(entities[obj])  # a relation the twin has no type for
            notes[f"relation {split_iri(iri)[1]} kept as property {key}"] += 1
        else:
            values[key].append(_iri_value(str(obj), vocab))
    return {k: _single_or_list(v) for k, v in sorted(values.items())}


def _flatten(
    key: str, node: BNode, rdf: rdflib.Graph, vocab: BrickVocabulary
) -> Iterable[tuple[str, Any]]:
    """A structured value (`brick:timeseries [...]`, `ref:hasExternalReference [...]`,
    `brick:area [brick:value 42; brick:hasUnit unit:M2]`) as flat properties."""
    prefix = {"timeseries_reference": "timeseries", "external_reference": "external"}.get(key, key)
    if any("BACnet" in split_iri(str(t))[1] for t in rdf.objects(node, RDF.type)):
        prefix = "bacnet"
    for predicate, obj in rdf.predicate_objects(node):
        if predicate == RDF.type:
            continue
        sub = _key(str(predicate), vocab).removeprefix(prefix + "_")
        name = prefix if sub == "value" else f"{prefix}_{sub}"
        if isinstance(obj, Literal):
            yield name, _literal(obj)
        elif isinstance(obj, URIRef):
            yield name, _iri_value(str(obj), vocab)
            if prefix == "bacnet":
                yield from _bacnet_device(obj, rdf)


def _bacnet_device(device: URIRef, rdf: rdflib.Graph) -> Iterable[tuple[str, Any]]:
    """A BACnet reference names its device by a node (`bacnet:objectOf <device>`) whose
    `bacnet:device-instance` is on that node: the point keeps it as `bacnet_device_instance`,
    so that its own properties spell the whole reference (device, object type, instance)."""
    for predicate, value in rdf.predicate_objects(device):
        if isinstance(value, Literal) and split_iri(str(predicate))[1] == "device-instance":
            yield "bacnet_device_instance", _literal(value)


def _key(iri: str, vocab: BrickVocabulary) -> str:
    """A property name from a predicate: `hasTimeseriesId` -> `timeseries_id`."""
    _, local = split_iri(iri)
    snake = _NOT_IDENTIFIER.sub("_", _CAMEL.sub("_", local)).strip("_").lower()
    if snake.startswith("has_") and len(snake) > 4:
        snake = snake[4:]
    if not snake or not snake[0].isalpha():
        snake = f"p_{snake}"
    if snake in ("twin_id", "kind", "name"):
        snake = f"rdf_{snake}"
    return snake


def _literal(literal: Literal) -> Any:
    value = literal.toPython()
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):  # Turtle's 12.5 is an xsd:decimal
        return float(value)
    return str(literal)  # dates, durations, custom datatypes keep their lexical form


def _iri_value(iri: str, vocab: BrickVocabulary) -> str:
    namespace, local = split_iri(iri)
    if namespace in _VALUE_NAMESPACES or vocab.is_tag(iri) or vocab.brick_local_name(iri):
        return local
    return iri


def _single_or_list(values: list[Any]) -> Any:
    if len(values) == 1:
        return values[0]
    unique = sorted(set(values), key=lambda v: (type(v).__name__, v))
    if len({type(v) for v in unique}) > 1:
        return sorted(str(v) for v in unique)
    return unique if len(unique) > 1 else unique[0]


def _warnings(ex: _Extractor) -> list[str]:
    warnings = []
    described = {
        "named": "are not in Brick {version}; their kind and brick_class come from the Brick "
        "class their name ends with",
        "unknown": "are not in Brick {version} and imply no Brick class; their entities were "
        "kept with kind " + GENERIC_KIND,
    }
    for how, template in described.items():
        classes = ex.class_notes.get(how)
        if not classes:
            continue
        listed = ", ".join(f"{split_iri(iri)[1]} ({n})" for iri, n in classes.most_common(8))
        more = f" and {len(classes) - 8} more" if len(classes) > 8 else ""
        warnings.append(
            f"{len(classes)} classes "
            + template.format(version=ex.vocab.brick_version)
            + f": {listed}{more}"
        )
    for note, count in sorted(ex.notes.items()):
        if note == "untyped":
            warnings.append(
                f"{count} things that Brick relations refer to have no class; imported with "
                f"kind {GENERIC_KIND}"
            )
        else:
            warnings.append(f"{note} ({count}x)")
    return warnings
