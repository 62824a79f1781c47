"""Which entities of different sources are one thing: explicit identifiers, then evidence.

Pure: entities in, links and review candidates out. Matching runs in stages from the top of the
spatial tree down (sites and buildings, floors, spaces and zones, systems and equipment, people
and roles), each stage repeated until nothing new links, and the whole sequence twice, because
the evidence for a pair is mostly what its neighbours are already linked to: two rooms are the
same when their floors are, an AHU's fan is the fan of the same AHU.

Evidence (each in [-1, 1], weighted, averaged over the evidence that is resolved; evidence that
cannot be told yet does not count for or against):
- name: best similarity over the names of both (names.py);
- place: their containers / locations are linked (+1); else the buildings they are in are one
  (+0.5) or not (a veto);
- structure: what they are part or member of, or what they group, are linked (+1), or are
  linked to other things of the other's source (-0.5);
- class: Brick classes equal (+1) or one a subclass of the other (+0.7); unrelated is a veto;
- elevation (storeys): within the tolerance (+1), further apart a veto.
Codes that disagree in the names ("AHU-1" / "AHU-2") are a veto too. A pair links when its
confidence reaches the auto threshold and something beyond the name supports it, or when the
names are identical and each is the only close name the other's source has. Every entity links
to at most one entity of each other source.

The spatial tree above the spaces (sites, buildings, storeys) is also compared by place: the
children of linked containers are paired whatever their names, because discipline models of one
building (architecture, electrical, from one authoring tool, each its own project) repeat the
same tree, often without a name for the building. An entity without a name (an IFC object shown
by its GlobalId) has no name evidence; it links on place alone only when its elevation agrees or
when it and its partner are each the only one of their kind in their linked containers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphtwin.brick_hierarchy import brick_ancestors
from graphtwin.identity.config import MatchingConfig
from graphtwin.identity.entities import Entity, group_by_source
from graphtwin.identity.names import codes_conflict, similarity

SPATIAL_TREE = frozenset({"Site", "Building", "Floor"})
"""Kinds also paired by place (children of linked containers), not only by name."""
STAGES: tuple[frozenset[str], ...] = (
    frozenset({"Site", "Building"}),
    frozenset({"Floor"}),
    frozenset({"Space", "Zone"}),
    frozenset({"System", "Equipment"}),
    frozenset({"Person", "Role"}),
)
_CLOSE_NAME = 0.8
_EXPLICIT = 0.99
_SHARED_TAG = 0.95

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Link:
    a: str
    b: str
    confidence: float
    method: str
    evidence: dict[str, float] = field(default_factory=dict)

    @property
    def pair(self) -> Pair:
        return pair_of(self.a, self.b)

    def stored_properties(self) -> dict[str, object]:
        """As a SAME_AS edge or review candidate keeps it (evidence as `name=value` texts)."""
        props: dict[str, object] = {"confidence": self.confidence, "method": self.method}
        if self.evidence:
            props["evidence"] = [f"{k}={v:g}" for k, v in sorted(self.evidence.items())]
        return props

    def to_json(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "confidence": self.confidence,
            "method": self.method,
            "evidence": self.evidence,
        }


@dataclass(slots=True)
class MatchResult:
    links: list[Link]
    candidates: list[Link]


def pair_of(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


class _Links:
    """Links found so far (plus given ones), as clusters and per-source partners."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        self._entities = entities
        self._adjacent: dict[str, set[str]] = defaultdict(set)
        self._clusters: dict[str, set[str]] = {}
        self.found: dict[Pair, Link] = {}

    def add(self, link: Link) -> None:
        self._adjacent[link.a].add(link.b)
        self._adjacent[link.b].add(link.a)
        self.found[link.pair] = link
        self._clusters.clear()

    def cluster(self, twin_id: str) -> set[str]:
        """Everything linked to twin_id, itself included (kept until the next link is added:
        scoring asks for the same clusters over and over)."""
        if twin_id not in self._clusters:
            seen, todo = {twin_id}, [twin_id]
            while todo:
                for other in self._adjacent[todo.pop()]:
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            for member in seen:
                self._clusters[member] = seen
        return self._clusters[twin_id]

    def linked(self, a: str, b: str) -> bool:
        return a == b or b in self.cluster(a)

    def any_linked(self, xs: Iterable[str], ys: set[str]) -> bool:
        return any(self.cluster(x) & ys for x in xs)

    def partner_in(self, twin_id: str, sources: frozenset[str]) -> str | None:
        for other in self._adjacent[twin_id]:
            entity = self._entities.get(other)
            if entity is not None and entity.sources == sources:
                return other
        return None


def match(
    entities: dict[str, Entity],
    config: MatchingConfig,
    *,
    given: Iterable[Pair] = (),
    rejected: set[Pair] | None = None,
) -> MatchResult:
    """Links among `entities`. `given`: pairs already known to be one (manual SAME_AS);
    `rejected`: pairs a person said are not."""
    rejected = rejected or set()
    links = _Links(entities)
    for a, b in given:
        if a in entities and b in entities:
            links.add(Link(a, b, 1.0, "given"))
    given_pairs = set(links.found)
    scorer = _Scorer(entities, config, links)
    for _ in range(2):
        for kinds in STAGES:
            while _link_stage(kinds, entities, scorer, links, config, rejected):
                pass
    found = [k for p, k in links.found.items() if p not in given_pairs]
    linked = {k.pair for k in found} | given_pairs
    candidates = [
        c
        for c in scorer.best_candidates(rejected)
        if c.pair not in linked and config.review <= c.confidence
    ]
    return MatchResult(sorted(found, key=_order), sorted(candidates, key=_order))


def _order(link: Link) -> tuple[float, Pair]:
    return (-link.confidence, link.pair)


def _link_stage(
    kinds: frozenset[str],
    entities: dict[str, Entity],
    scorer: _Scorer,
    links: _Links,
    config: MatchingConfig,
    rejected: set[Pair],
) -> bool:
    """One pass over a stage's kinds; True when it linked something new."""
    proposals = []
    for a, b in scorer.pairs(kinds):
        if pair_of(a.twin_id, b.twin_id) in rejected or links.linked(a.twin_id, b.twin_id):
            continue
        link = scorer.score(a, b)
        if link is not None and scorer.acceptable(link, a, b):
            proposals.append(link)
    added = False
    for link in sorted(proposals, key=_order):
        a, b = entities[link.a], entities[link.b]
        if links.partner_in(a.twin_id, b.sources) or links.partner_in(b.twin_id, a.sources):
            continue  # one partner per other source: the better proposal came first
        if any(
            pair_of(u, v) in rejected
            for u in links.cluster(a.twin_id)
            for v in links.cluster(b.twin_id)
        ):
            continue  # it would make a rejected pair one thing through others
        if link.confidence >= config.auto:
            links.add(link)
            added = True
    return added


class _Scorer:
    def __init__(self, entities: dict[str, Entity], config: MatchingConfig, links: _Links) -> None:
        self._entities = entities
        self._config = config
        self._links = links
        self._ancestors = brick_ancestors()
        self._by_token: dict[str, set[str]] = defaultdict(set)
        self._by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
        for entity in entities.values():
            for name in entity.names:
                for token in name.tokens:
                    self._by_token[token].add(entity.twin_id)
            for key in (*entity.identifiers, *(("tag", t) for t in entity.tags)):
                self._by_key[key].add(entity.twin_id)
        self._scores: dict[Pair, Link | None] = {}
        self._by_source = group_by_source(entities)
        self._children: dict[str, set[str]] = defaultdict(set)
        """Container -> the spatial-tree entities in it, for pairing by place."""
        for entity in entities.values():
            if entity.kind in SPATIAL_TREE:
                for place in entity.places:
                    self._children[place].add(entity.twin_id)

    def pairs(self, kinds: frozenset[str]) -> Iterable[tuple[Entity, Entity]]:
        """Pairs worth scoring: compatible kinds, different sources, sharing a name token or
        an identifier, or (spatial tree) in linked containers (blocking, so large twins are not
        compared all against all)."""
        compatible = self._config.compatible_kinds
        for a in self._entities.values():
            if a.kind not in kinds:
                continue
            near: set[str] = set()
            for name in a.names:
                for token in name.tokens:
                    near |= self._by_token[token]
            for key in (*a.identifiers, *(("tag", t) for t in a.tags)):
                near |= self._by_key[key]
            if a.kind in SPATIAL_TREE:
                for place in a.places:
                    for same in self._links.cluster(place):
                        near |= self._children.get(same, set())
            for twin_id in near:
                b = self._entities[twin_id]
                if (
                    (b.kind not in kinds or a.twin_id < b.twin_id)  # each pair once
                    and b.kind in compatible.get(a.kind, ())
                    and not a.sources & b.sources
                ):
                    yield a, b

    def score(self, a: Entity, b: Entity) -> Link | None:
        """The link a and b would make, or None when something rules it out."""
        x, y = pair_of(a.twin_id, b.twin_id)
        shared = a.identifiers & b.identifiers
        if shared:
            scheme, _ = sorted(shared)[0]
            return Link(x, y, _EXPLICIT, f"explicit:{scheme}")
        if a.tags & (b.tags | b.name_keys) or b.tags & a.name_keys:
            return Link(x, y, _SHARED_TAG, "shared-identifier:tag")
        if any(codes_conflict(m, n) for m in a.names for n in b.names):
            self._scores[(x, y)] = None
            return None
        evidence: dict[str, float] = {}
        if a.names and b.names:  # a nameless side: the names cannot be told
            evidence["name"] = max(similarity(m, n) for m in a.names for n in b.names)
        for key, value in (
            ("class", self._class(a, b)),
            ("place", self._place(a, b)),
            ("structure", self._structure(a, b)),
            ("elevation", self._elevation(a, b)),
        ):
            if value is None:  # a veto
                self._scores[(x, y)] = None
                return None
            if value:
                evidence[key] = value
        if not evidence:  # nothing to tell them by
            return None
        weights = self._config.weights
        total = sum(weights[k] for k in evidence)
        confidence = max(0.0, sum(weights[k] * v for k, v in evidence.items()) / total)
        rounded = {k: round(v, 3) for k, v in evidence.items()}
        link = Link(x, y, round(confidence, 3), "evidence", rounded)
        self._scores[(x, y)] = link
        return link

    def acceptable(self, link: Link, a: Entity, b: Entity) -> bool:
        if link.method != "evidence":
            return True
        if "name" not in link.evidence:  # nameless: its place, and its level or being alone
            return link.evidence.get("place", 0) > 0 and (
                link.evidence.get("elevation", 0) > 0 or (self._alone(a) and self._alone(b))
            )
        if any(v > 0 for k, v in link.evidence.items() if k != "name"):
            return True
        # Names alone: only identical names, each the other source's one close name.
        return link.evidence["name"] == 1.0 and self._unique(a, b) and self._unique(b, a)

    def _unique(self, a: Entity, b: Entity) -> bool:
        close = 0
        for other in self._by_source[b.sources]:
            if other.kind not in self._config.compatible_kinds.get(a.kind, ()):
                continue
            if max((similarity(m, n) for m in a.names for n in other.names), default=0) >= (
                _CLOSE_NAME
            ):
                close += 1
        return close == 1

    def _alone(self, entity: Entity) -> bool:
        """The only entity of its kind and source in each of its containers."""
        compatible = self._config.compatible_kinds.get(entity.kind, frozenset())
        for place in entity.places:
            for other in self._children.get(place, set()) - {entity.twin_id}:
                peer = self._entities[other]
                if peer.sources == entity.sources and peer.kind in compatible:
                    return False
        return True

    def _elevation(self, a: Entity, b: Entity) -> float | None:
        if a.elevation is None or b.elevation is None:
            return 0.0
        return 1.0 if abs(a.elevation - b.elevation) <= self._config.elevation_tolerance else None

    def _class(self, a: Entity, b: Entity) -> float | None:
        x, y = a.brick_class, b.brick_class
        if not x or not y:
            return 0.0
        if x == y:
            return 1.0
        if y in self._ancestors.get(x, ()) or x in self._ancestors.get(y, ()):
            return 0.7
        return None

    def _place(self, a: Entity, b: Entity) -> float | None:
        links = self._links
        if a.places and b.places:
            if links.any_linked(a.places, b.places):
                return 1.0
            # Each side's places are known in the other's source, as other places: elsewhere.
            if all(links.partner_in(p, b.sources) for p in a.places) and all(
                links.partner_in(p, a.sources) for p in b.places
            ):
                return None
        building_a, building_b = self._building(a.twin_id), self._building(b.twin_id)
        if building_a and building_b and a.kind != "Building":
            return 0.5 if links.linked(building_a, building_b) else None
        return 0.0

    def _structure(self, a: Entity, b: Entity) -> float:
        mine, theirs = a.wholes | a.parts, b.wholes | b.parts
        if not mine or not theirs:
            return 0.0
        if self._links.any_linked(mine, theirs):
            return 1.0
        known_elsewhere = any(self._links.partner_in(t, b.sources) for t in mine) and any(
            self._links.partner_in(t, a.sources) for t in theirs
        )
        return -0.5 if known_elsewhere else 0.0

    def _building(self, twin_id: str, depth: int = 0) -> str | None:
        """The building an entity is in: up through places and wholes, else its parts'."""
        entity = self._entities[twin_id]
        if entity.kind == "Building":
            return twin_id
        if depth > 8:
            return None
        for up in sorted(entity.places | entity.wholes):
            if up in self._entities:
                found = self._building(up, depth + 1)
                if found:
                    return found
        if depth == 0:
            for part in sorted(entity.parts):
                if part in self._entities and self._entities[part].kind != "Building":
                    found = self._building(part, depth + 1)
                    if found:
                        return found
        return None

    def best_candidates(self, rejected: set[Pair]) -> list[Link]:
        """The best-scored pair per entity and other source, for review."""
        best: dict[tuple[str, frozenset[str]], Link] = {}
        for pair, link in self._scores.items():
            if link is None or pair in rejected:
                continue
            for me, other in (pair, pair[::-1]):
                key = (me, self._entities[other].sources)
                if key not in best or link.confidence > best[key].confidence:
                    best[key] = link
        return list({link.pair: link for link in best.values()}.values())
