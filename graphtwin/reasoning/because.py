"""Because chains: the relationships that explain why a constraint applies to a node, or how a
value reaches it.

A chain is an ordered tuple of `Step`s, from the governing node to the governed one:

    reg-en16798 -[HAS_PART]-> en16798-office-temperature -[APPLIES_TO, selector]-> bldg-a
        -[CONTAINS]-> bldg-a.l2 -[CONTAINS]-> office-201

Each step is one relationship of the graph, walked in the chain's direction; `reverse` says the
relationship is stored the other way round (a point LOCATED_IN the room the chain comes from),
so a reader can always find the relationship again and ask `graphtwin show` where it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_FORWARD = {
    "HAS_PART": "has part",
    "APPLIES_TO": "applies to",
    "CONTAINS": "contains",
    "HAS_POINT": "has point",
    "SERVES": "serves",
    "FEEDS": "feeds",
    "LOCATED_IN": "is located in",
    "SAME_AS": "is the same as",
}
_BACKWARD = {
    "HAS_PART": "is part of",
    "APPLIES_TO": "is governed by",
    "CONTAINS": "is contained in",
    "HAS_POINT": "is a point of",
    "SERVES": "is served by",
    "FEEDS": "is fed by",
    "LOCATED_IN": "houses",
    "SAME_AS": "is the same as",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One relationship of a chain, walked from `from_id` to `to_id`."""

    from_id: str
    relation: str
    """The relationship type as stored (HAS_PART, APPLIES_TO, CONTAINS, LOCATED_IN, SAME_AS...)."""
    to_id: str
    reverse: bool = False
    """True when the relationship is stored as (to_id)-[relation]->(from_id)."""
    from_name: str | None = None
    to_name: str | None = None
    selector: str | None = None
    """For a relationship a selector derived: twin_id of the selecting node."""
    sources: tuple[str, ...] = ()
    """The sources that asserted the relationship (empty for a selector's own edge)."""

    @property
    def how(self) -> str:
        """How the relationship came to be: `selector`, `explicit (src, ...)`, or ``."""
        if self.sources:
            return f"explicit ({', '.join(self.sources)})"
        return "selector" if self.selector else ""

    def describe(self) -> str:
        """`applies to (selector) office-201`, `is located in bldg-a.l1.mech`, ..."""
        verbs = _BACKWARD if self.reverse else _FORWARD
        verb = verbs.get(self.relation, self.relation.lower().replace("_", " "))
        if self.relation == "APPLIES_TO" and self.how:
            verb = f"{verb} ({'selector' if self.selector and not self.sources else 'explicit'})"
        return f"{verb} {label(self.to_id, self.to_name)}"


def label(twin_id: str, name: str | None) -> str:
    """A node as people read it: its name when it has one, else its twin_id."""
    return name if name else twin_id


def describe_chain(steps: Sequence[Step]) -> str:
    """The chain as one line: `EN 16798-1 -> has part Office temperature -> applies to
    (selector) office-201`. Where a step does not start where the previous one ended (a
    regulation that has the constraint as a part and itself applies to the building), a new
    segment starts after `; `. An empty chain (a value on the node itself) is ``."""
    text = ""
    previous: str | None = None
    for step in steps:
        if step.from_id != previous:
            text += ("; " if text else "") + label(step.from_id, step.from_name)
        text += f" -> {step.describe()}"
        previous = step.to_id
    return text
