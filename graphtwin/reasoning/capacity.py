"""Capacity checks: a parent's limit against the sum of what its children demand (pure code).

A capacity constraint (`type: capacity`, e.g. AHU-2 supply_air_flow <= 2.4 m3/s) holds on the
node it APPLIES_TO. Its children are what that node FEEDS, a SAME_AS cluster counting as one
node (on the parent's side too: what the BIM description of the AHU feeds, the AHU feeds).

A child's demand is its own property with the constraint's key (`supply_air_flow: 0.8` on a
VAV), else the current value of one of its points that measures that property (the freshest;
`observations.measured_properties` decides which point measures what).

Models do not agree on what a child is: Brick says the AHU feeds the VAV boxes, IFC says it
feeds a duct riser that feeds them. So a child without a demand of its own that feeds further
nodes is looked through: its branch counts instead, measured at the highest node that has a
demand (a riser with a flow sensor covers the boxes it feeds, and they are not counted twice).
A node whose branch has no demand at all is listed as missing itself (the VAV, not the room it
feeds). Missing demands are listed, never counted as 0.

Demands are taken as non-negative (flows, loads), so a sum above the max is a violation even
with demands missing, while a sum below the min is one only when nothing is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphtwin.errors import IncompatibleUnitsError
from graphtwin.reasoning.constraints import Contribution, Side, close
from graphtwin.reasoning.observations import Observation
from graphtwin.units import convert, normalise_unit


@dataclass(frozen=True, slots=True)
class FeedNode:
    """One node of the flow network below a parent: a SAME_AS cluster, named by one member."""

    twin_id: str
    name: str | None
    members: tuple[str, ...]
    feeds: tuple[str, ...]
    """twin_ids (as in the network) of the nodes it FEEDS."""
    readings: tuple[Observation, ...] = ()
    """Its values (own properties, its points' current values)."""


@dataclass(frozen=True, slots=True)
class Demand:
    """What one child demands, in the check's unit."""

    child: str
    value: float
    observed: Observation
    through: tuple[str, ...] = ()
    """Nodes without a demand of their own the flow passes on its way (a duct riser)."""


@dataclass(frozen=True, slots=True)
class MissingDemand:
    """A child whose demand is unknown: it is listed, never counted as 0."""

    child: str
    reason: str
    through: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CapacityCheck:
    """A capacity constraint on a parent: its limit against the sum of its children's demand."""

    node: str
    constraint: Contribution
    property: str
    unit: str
    min: float | None
    max: float | None
    total: float
    """The sum of the known demands, in `unit`."""
    demands: tuple[Demand, ...]
    missing: tuple[MissingDemand, ...]
    bound: Side | None
    """The bound the total breaks; None when the check holds or cannot be decided yet."""
    members: tuple[str, ...] = ()
    """The parent's SAME_AS cluster (the parent as every source describes it)."""

    @property
    def violated(self) -> bool:
        return self.bound is not None

    @property
    def complete(self) -> bool:
        return not self.missing

    def describe(self) -> str:
        known = f"{len(self.demands)} of {len(self.demands) + len(self.missing)} children known"
        return (
            f"{self.node}: {self.property} {self.total:g} {self.unit} ({known}) against "
            f"{range_text(self.min, self.max)} {self.unit} ({self.constraint.constraint_id})"
        )


def range_text(low: float | None, high: float | None) -> str:
    """`20..26`, `>= 20`, `<= 2.4`."""
    if low is not None and high is not None:
        return f"{low:g}..{high:g}"
    if low is not None:
        return f">= {low:g}"
    return f"<= {high:g}" if high is not None else "any"


def to_unit(value: float, unit: str | None, target: str | None) -> float:
    """`value` in `target`; a missing unit (or the same spelling) is taken as `target`.
    Raises `IncompatibleUnitsError` when the units cannot be converted."""
    if unit is None or target is None or unit == target:
        return value
    return convert(value, unit, target)


@dataclass(frozen=True, slots=True)
class Reached:
    """A node the graph reaches down FEEDS from a parent (one row of reasoning/feed_network)."""

    twin_id: str
    name: str | None
    members: tuple[str, ...]
    """Its SAME_AS cluster, itself included."""
    feeds: tuple[str, ...]


def build_network(parent: str, reached: Iterable[Reached]) -> dict[str, FeedNode]:
    """The flow network below `parent`, one `FeedNode` per SAME_AS cluster, keyed by the member
    that speaks for it: the parent itself, else a member the parent FEEDS directly (the AHU's
    own model names its VAVs), else the smallest twin_id."""
    rows = list(reached)
    direct = {fed for r in rows if r.twin_id == parent for fed in r.feeds}
    cluster: dict[str, frozenset[str]] = {}
    for r in rows:
        key = frozenset((*r.members, r.twin_id))
        for member in key:
            cluster[member] = cluster.get(member, frozenset()) | key
    speaker = {
        key: min(key, key=lambda m: (m != parent, m not in direct, m))
        for key in set(cluster.values())
    }
    names = {r.twin_id: r.name for r in rows}
    feeds: dict[str, set[str]] = {}
    for r in rows:
        me = speaker[cluster[r.twin_id]]
        onward = {speaker[cluster[f]] for f in r.feeds if f in cluster}
        feeds.setdefault(me, set()).update(onward - {me})
    return {
        me: FeedNode(
            twin_id=me,
            name=names.get(me),
            members=tuple(sorted(key)),
            feeds=tuple(sorted(feeds.get(me, ()))),
        )
        for key, me in speaker.items()
    }


def check_capacity(
    contribution: Contribution, parent: str, network: Mapping[str, FeedNode]
) -> CapacityCheck:
    """The capacity check of `contribution` (a capacity constraint on its node) over the flow
    network below `parent` (the key of the parent's cluster in `network`)."""
    prop = contribution.property
    unit = normalise_unit(contribution.unit) or contribution.unit
    found, lacking = _branch(parent, network, prop)
    demands: list[Demand] = []
    missing = [
        MissingDemand(key, f"no {prop} value or point with a value", through)
        for key, through in sorted(lacking.items())
    ]
    for key, through in sorted(found.items()):
        o = _demand(network[key].readings, prop)
        if o is None:  # _branch only counts nodes with a demand
            continue
        try:
            demands.append(Demand(key, to_unit(o.value, o.unit, unit), o, through))
        except IncompatibleUnitsError as exc:
            missing.append(MissingDemand(key, exc.message, through))
    total = float(f"{sum(d.value for d in demands):.12g}")
    high, low = contribution.max, contribution.min
    bound: Side | None = None
    if high is not None and total > high and not close(total, high):
        bound = "max"
    elif low is not None and not missing and total < low and not close(total, low):
        bound = "min"
    return CapacityCheck(
        node=contribution.node,
        constraint=contribution,
        property=prop,
        unit=unit,
        min=low,
        max=high,
        total=total,
        demands=tuple(demands),
        missing=tuple(sorted(missing, key=lambda m: m.child)),
        bound=bound,
        members=network[parent].members if parent in network else (parent,),
    )


Routes = dict[str, tuple[str, ...]]
"""node -> the nodes without demand passed on the way to it (the shortest such route)."""


def _branch(parent: str, network: Mapping[str, FeedNode], prop: str) -> tuple[Routes, Routes]:
    """The nodes whose demands make up `parent`'s branch, and those whose demand is missing."""
    found: Routes = {}
    lacking: Routes = {}
    root = network.get(parent)
    for child in root.feeds if root else ():
        known, unknown = _walk(child, (), frozenset({parent}), network, prop)
        _merge(found, known)
        _merge(lacking, unknown)
    below = {key: _downstream(key, network) for key in {*found, *lacking}}
    # A demand covers everything downstream of it: count it once, at the highest node.
    found = {k: v for k, v in found.items() if not any(k in below[o] for o in found if o != k)}
    lacking = {
        k: v
        for k, v in lacking.items()
        if k not in found
        and not any(k in below[o] for o in found)
        and not any(o in below[k] for o in (*found, *lacking) if o != k)
    }
    return found, lacking


def _walk(
    key: str,
    through: tuple[str, ...],
    path: frozenset[str],
    network: Mapping[str, FeedNode],
    prop: str,
) -> tuple[Routes, Routes]:
    node = network.get(key)
    if node is None:
        return {}, {key: through}
    if _demand(node.readings, prop) is not None:
        return {key: through}, {}
    found: Routes = {}
    lacking: Routes = {}
    for onward in node.feeds:
        if onward in path or onward == key:
            continue  # a loop (return air back to the AHU): not a child
        known, unknown = _walk(onward, (*through, key), path | {key}, network, prop)
        _merge(found, known)
        _merge(lacking, unknown)
    if found:
        return found, lacking  # looked through: what it passes on is known (at least in part)
    return {}, {key: through}  # nothing known below: the node itself is what is missing


def _merge(into: Routes, routes: Routes) -> None:
    for key, through in routes.items():
        if key not in into or len(through) < len(into[key]):
            into[key] = through


def _downstream(key: str, network: Mapping[str, FeedNode]) -> set[str]:
    seen: set[str] = set()
    todo = list(network[key].feeds) if key in network else []
    while todo:
        current = todo.pop()
        if current in seen or current == key:
            continue
        seen.add(current)
        todo += network[current].feeds if current in network else ()
    return seen


def _demand(readings: Iterable[Observation], prop: str) -> Observation | None:
    """The node's own property first (a value someone wrote down for it), else the point with
    the freshest value; values observed from elsewhere (a room's view of its VAV) never count."""
    candidates = [o for o in readings if o.property == prop and o.route in ("own", "point")]
    if not candidates:
        return None
    return min(candidates, key=_freshness)


def _freshness(o: Observation) -> tuple[int, float, str]:
    stamp = o.at.timestamp() if o.at else float("-inf")
    return (0 if o.route == "own" else 1, -stamp, o.point or o.holder)


def unique_checks(checks: Iterable[CapacityCheck]) -> list[CapacityCheck]:
    """One check per constraint and parent: a parent described by several sources (SAME_AS)
    is one parent, reached by the constraint through each description; the check kept is the
    one with the shortest chain (the description the constraint names)."""
    best: dict[tuple[str, frozenset[str]], CapacityCheck] = {}
    for check in checks:
        key = (check.constraint.constraint_id, frozenset(check.members or (check.node,)))
        if key not in best or len(check.constraint.because) < len(best[key].constraint.because):
            best[key] = check
    return sorted(best.values(), key=lambda c: (c.node, c.constraint.constraint_id))
