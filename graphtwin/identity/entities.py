"""The entities linking looks at, with the neighbourhood evidence is drawn from.

Read from the twin in two statements (nodes, then the structural relationships among them) and
held in memory: linking compares entities across sources, which needs all of them at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graphtwin.identity.config import MatchingConfig
from graphtwin.identity.names import Name, parse_name

SPATIAL = frozenset({"Site", "Building", "Floor", "Space"})
_IFC_REFERENCE_KEYS = ("ifc_guid", "ifc_global_id")
_ISA95_REFERENCE_KEYS = ("isa95_id",)


@dataclass(slots=True)
class Entity:
    twin_id: str
    kind: str
    name: str
    sources: frozenset[str]
    """The sources that define it (assert at least one property)."""
    names: list[Name]
    brick_class: str | None
    identifiers: frozenset[tuple[str, str]]
    """Explicit identifiers it has or refers to: ("ifc", GlobalId), ("isa95", id)."""
    tags: frozenset[str]
    name_keys: frozenset[str]
    """Its names compared as identifiers are (without case or punctuation), to meet tags."""
    elevation: float | None = None
    """Height of a storey in metres (IFC `elevation`), where a source gives it."""
    places: set[str] = field(default_factory=set)
    """Where it is: its spatial container, what it is LOCATED_IN, the spaces it feeds/serves."""
    wholes: set[str] = field(default_factory=set)
    """What it is part or member of (HAS_PART, non-spatial CONTAINS, MEMBER_OF)."""
    parts: set[str] = field(default_factory=set)
    """What it groups or is made of (parts, members, children)."""


def build_entities(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], config: MatchingConfig
) -> dict[str, Entity]:
    entities = {n["twin_id"]: _entity(n, config) for n in nodes if n["sources"]}
    kind = {t: e.kind for t, e in entities.items()}
    for edge in edges:
        start, rel, end = edge["start"], edge["type"], edge["end"]
        a, b = entities.get(start), entities.get(end)
        if a is None or b is None:
            continue
        if rel == "CONTAINS":  # a spatial container is a place; an ISA-95 parent, a whole
            (b.places if kind[start] in SPATIAL else b.wholes).add(start)
            a.parts.add(end)
        elif rel == "LOCATED_IN" or (rel in ("FEEDS", "SERVES") and kind[end] == "Space"):
            a.places.add(end)
        elif rel == "HAS_PART":
            b.wholes.add(start)
            a.parts.add(end)
        elif rel == "MEMBER_OF":
            a.wholes.add(end)
            b.parts.add(start)
    return entities


def _entity(node: dict[str, Any], config: MatchingConfig) -> Entity:
    props: dict[str, Any] = node["props"]
    texts = [node["name"], props.get("long_name"), props.get("ifc_name"), props.get("tag")]
    # An IFC object without Name or LongName is shown by its GlobalId: that is no name.
    texts = [t for t in texts if t != props.get("ifc_guid")]
    isa95_id = props.get("isa95_id")
    if isinstance(isa95_id, str):
        texts.append(isa95_id.rsplit(".", 1)[-1])  # PLANT1.HVAC.AHU01 -> AHU01
    seen: dict[str, Name] = {}
    for text in texts:
        if isinstance(text, str) and text.strip() and text not in seen:
            seen[text] = parse_name(text, config)
    identifiers: set[tuple[str, str]] = set()
    for key, value in props.items():
        if not isinstance(value, str):
            continue
        if key.endswith(_IFC_REFERENCE_KEYS):
            identifiers.add(("ifc", value))
        elif key.endswith(_ISA95_REFERENCE_KEYS):
            identifiers.add(("isa95", value))
    tag = props.get("tag")
    return Entity(
        twin_id=node["twin_id"],
        kind=node["kind"],
        name=node["name"],
        sources=frozenset(node["sources"]),
        names=list(seen.values()),
        brick_class=props.get("brick_class"),
        identifiers=frozenset(identifiers),
        tags=frozenset({_plain(tag)}) if isinstance(tag, str) and tag.strip() else frozenset(),
        name_keys=frozenset(_plain(text) for text in seen),
        elevation=_metres(props.get("elevation"), props.get("elevation__unit")),
    )


def _metres(value: Any, unit: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and unit == "m":
        return float(value)
    return None


def _plain(text: str) -> str:
    """An identifier compared without case, spaces or punctuation: "AHU-2" == "ahu 2"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def group_by_source(entities: dict[str, Entity]) -> dict[frozenset[str], list[Entity]]:
    groups: dict[frozenset[str], list[Entity]] = defaultdict(list)
    for entity in entities.values():
        groups[entity.sources].append(entity)
    return groups
