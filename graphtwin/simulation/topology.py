"""Topology impact: what loses supply when equipment trips or a FEEDS changes, and which units
are single points of failure (pure code, networkx).

The input is one building's relationships as `(source_id, rel_type, target_id)` tuples; only
FEEDS, SERVES and HAS_PART count, other types are ignored. Their meaning for supply:

- `a FEEDS b` and `a SERVES b`: b is supplied by a (b depends on a). Several suppliers are
  alternatives (redundancy): b keeps supply while one of them still supplies it.
- `w HAS_PART p`: a whole and its parts stand or fall together. Tripping a fan trips its AHU,
  tripping the AHU takes its fan and coils out, and what feeds a coil supplies the AHU. Every
  HAS_PART-connected set of nodes is one *unit*, named by a representative: the whole that is a
  part of nothing (the smallest id when there are several). Results are given in the original
  node ids: a unit's members are all reported.
- Roots are units with no supplier in the network as given (a boiler, an AHU whose own supply is
  not modelled, a zone nothing feeds). They stay roots under any intervention: removing the only
  feed of a zone does not make the zone its own source.
- A node *loses supply entirely* (`Impact.lost`) when no root reaches it after the intervention
  while one did before. It is *partly affected* (`Impact.partly`) when it is still reached but
  one of its direct suppliers no longer supplies it: the supplier was tripped, lost supply
  itself, or its FEEDS was removed. Tripped units are `Impact.removed`, neither lost nor partly.
- A unit *dominates* another when every supply path from the roots to it passes through it
  (`nx.immediate_dominators` from a virtual source linked to every root). A unit's dominated
  set is exactly what loses supply when it fails; a unit that dominates anything besides its
  own members is a single point of failure.

Interventions are checked before anything is computed: an unknown id, a removed FEEDS that does
not exist, or an added FEEDS that would close a supply cycle is an error naming the field.

Example::

    >>> net = SupplyNetwork.from_edges([
    ...     ("boiler", "FEEDS", "coil-1"), ("ahu-1", "HAS_PART", "coil-1"),
    ...     ("ahu-1", "FEEDS", "zone-a"), ("ahu-2", "FEEDS", "zone-a"),
    ...     ("ahu-1", "FEEDS", "zone-b"),
    ... ])
    >>> impact(net, trip=["coil-1"])
    Impact(removed=('ahu-1', 'coil-1'), lost=('zone-b',), partly=('zone-a',))
    >>> [(s.node, s.dominates) for s in single_points_of_failure(net)]
    [('boiler', ('ahu-1', 'coil-1', 'zone-b')), ('ahu-1', ('zone-b',))]
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import networkx as nx

from graphtwin.simulation.errors import (
    CyclicInterventionError,
    MissingFeedError,
    UnknownNodeError,
)
from graphtwin.simulation.result import Impact

FEEDS: Final = "FEEDS"
SERVES: Final = "SERVES"
HAS_PART: Final = "HAS_PART"
SUPPLY_TYPES: Final = frozenset({FEEDS, SERVES})
"""Relationship types that carry supply from their source to their target."""

Edge = tuple[str, str, str]
"""(source_id, rel_type, target_id)."""
Pair = tuple[str, str]
"""(source_id, target_id) of a FEEDS."""

_SOURCE: Final[Hashable] = ("virtual supply source",)
"""Linked to every root; not a string, so it cannot collide with a node id."""


@dataclass(frozen=True, slots=True)
class SinglePointOfFailure:
    """A unit whose failure cuts supply to other nodes, with no alternative path around it."""

    node: str
    """The unit's representative id (the whole of a HAS_PART group)."""
    members: tuple[str, ...]
    """Every node of the unit (the whole and its parts), sorted."""
    dominates: tuple[str, ...]
    """The nodes that lose supply entirely when it fails, its own members excluded, sorted."""


@dataclass(frozen=True, slots=True, eq=False)
class SupplyNetwork:
    """One building's supply graph over units, built once by `from_edges` and queried many
    times. The graphs are frozen networkx graphs: read them, never change them."""

    unit_of: Mapping[str, str]
    """Node id -> representative of its unit."""
    members: Mapping[str, tuple[str, ...]]
    """Representative -> the unit's node ids, sorted."""
    graph: nx.DiGraph
    """Units and who supplies whom; each edge's `via` is the frozenset of the original
    (source, rel_type, target) relationships behind it."""
    feeds: frozenset[Pair]
    """Every FEEDS as given (what a scenario may remove)."""
    roots: frozenset[str]
    """Units with no supplier."""
    reached: frozenset[str]
    """Units a root reaches (supplied units, roots included)."""
    dominators: nx.DiGraph
    """The dominator tree of the supply graph, rooted at a virtual source linked to every root:
    an edge d -> u says d is u's immediate dominator."""

    @classmethod
    def from_edges(cls, edges: Iterable[Edge], *, nodes: Iterable[str] = ()) -> SupplyNetwork:
        """The network of `edges` (other relationship types than FEEDS, SERVES and HAS_PART are
        ignored). `nodes` adds ids that have none of those relationships (a zone nothing feeds
        yet, which a scenario may add a FEEDS to); each is a unit and a root of its own."""
        parts = nx.DiGraph()
        parts.add_nodes_from(nodes)
        supply: list[Edge] = []
        for source, rel_type, target in edges:
            if rel_type == HAS_PART:
                parts.add_edge(source, target)
            elif rel_type in SUPPLY_TYPES:
                parts.add_nodes_from((source, target))
                supply.append((source, rel_type, target))
        unit_of, members = _units(parts)
        graph = nx.DiGraph()
        graph.add_nodes_from(members)
        for source, rel_type, target in supply:
            u, v = unit_of[source], unit_of[target]
            if u == v:
                continue  # a part feeding another part of the same whole: no supply between units
            via = graph.edges[u, v]["via"] if graph.has_edge(u, v) else frozenset()
            graph.add_edge(u, v, via=via | {(source, rel_type, target)})
        roots = frozenset(u for u in graph if graph.in_degree(u) == 0)
        reached = frozenset(_reached(graph, roots))
        return cls(
            unit_of=unit_of,
            members=members,
            graph=nx.freeze(graph),
            feeds=frozenset((s, t) for s, rel_type, t in supply if rel_type == FEEDS),
            roots=roots,
            reached=reached,
            dominators=nx.freeze(_dominator_tree(graph, roots)),
        )

    def unit(self, node_id: str, *, field: str | None = None) -> str:
        """The representative of `node_id`'s unit; `UnknownNodeError` (naming `field`) when the
        network does not have it."""
        try:
            return self.unit_of[node_id]
        except KeyError:
            raise UnknownNodeError(node_id, field=field) from None


def supply_network(edges: Iterable[Edge], *, nodes: Iterable[str] = ()) -> SupplyNetwork:
    """`SupplyNetwork.from_edges(edges, nodes=nodes)`."""
    return SupplyNetwork.from_edges(edges, nodes=nodes)


def impact(
    network: SupplyNetwork,
    *,
    trip: Collection[str] = (),
    remove_feeds: Sequence[Pair] = (),
    add_feeds: Sequence[Pair] = (),
) -> Impact:
    """What tripping `trip`, removing the FEEDS `remove_feeds` and adding the FEEDS `add_feeds`
    does to supply (feeds are removed first, then added; trips are applied last, so a feed
    added to a tripped unit is still checked for cycles).

    Raises `UnknownNodeError` for an id the network does not have (field `trip[i]`,
    `remove_feeds[i]` or `add_feeds[i]`), `MissingFeedError` for a FEEDS to remove that does
    not exist (or is removed twice), `CyclicInterventionError` for an added FEEDS that closes a
    cycle of supply (a unit feeding itself included). Adding a FEEDS that exists changes
    nothing.
    """
    tripped = {network.unit(n, field=f"trip[{i}]") for i, n in enumerate(trip)}
    graph = network.graph.copy()  # an unfrozen copy; attribute values are replaced, not mutated
    _remove_feeds(network, graph, remove_feeds)
    _add_feeds(network, graph, add_feeds)
    graph.remove_nodes_from(tripped)
    reached = _reached(graph, network.roots - tripped)
    lost = network.reached - reached - tripped
    partly = {
        v
        for v in reached
        if any(
            p in network.reached and (p not in reached or not graph.has_edge(p, v))
            for p in network.graph.predecessors(v)
        )
    }
    return Impact(
        removed=_expand(network, tripped),
        lost=_expand(network, lost),
        partly=_expand(network, partly),
    )


def single_points_of_failure(network: SupplyNetwork) -> list[SinglePointOfFailure]:
    """Every unit whose failure cuts supply to another node, the one that cuts most first (then
    by id)."""
    found = []
    for unit in network.dominators:
        if unit == _SOURCE:
            continue
        dominated = nx.descendants(network.dominators, unit)
        if dominated:
            found.append(
                SinglePointOfFailure(
                    node=unit,
                    members=network.members[unit],
                    dominates=_expand(network, dominated),
                )
            )
    return sorted(found, key=lambda s: (-len(s.dominates), s.node))


def dominated_by(network: SupplyNetwork, node_id: str) -> tuple[str, ...]:
    """The units (representatives) whose failure alone cuts `node_id` off, from the roots down
    to its nearest; its own unit excluded. Empty when it has redundant supply all the way up,
    is a root, or is not supplied at all."""
    unit = network.unit(node_id, field="node")
    if unit not in network.dominators:
        return ()
    return tuple(nx.shortest_path(network.dominators, _SOURCE, unit)[1:-1])


def _units(parts: nx.DiGraph) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Node -> representative and representative -> members, over the HAS_PART components."""
    unit_of: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for component in nx.weakly_connected_components(parts):
        wholes = [n for n in component if parts.in_degree(n) == 0] or list(component)
        representative = min(wholes)
        members[representative] = tuple(sorted(component))
        unit_of.update(dict.fromkeys(component, representative))
    return unit_of, members


def _reached(graph: nx.DiGraph, roots: Iterable[str]) -> set[str]:
    """The units the roots reach, roots included: one search from a virtual source, added to
    `graph` (which must not be frozen) for the search and removed again."""
    graph.add_node(_SOURCE)
    graph.add_edges_from((_SOURCE, r) for r in roots)
    reached = nx.descendants(graph, _SOURCE)
    graph.remove_node(_SOURCE)
    return reached


def _dominator_tree(graph: nx.DiGraph, roots: Iterable[str]) -> nx.DiGraph:
    with_source = nx.DiGraph(graph)
    with_source.add_edges_from((_SOURCE, r) for r in roots)
    idom = nx.immediate_dominators(with_source, _SOURCE)
    tree = nx.DiGraph()
    tree.add_node(_SOURCE)
    tree.add_edges_from((d, u) for u, d in idom.items() if u != d)
    return tree


def _remove_feeds(network: SupplyNetwork, graph: nx.DiGraph, pairs: Sequence[Pair]) -> None:
    removed: set[Pair] = set()
    for i, (a, b) in enumerate(pairs):
        field = f"remove_feeds[{i}]"
        u, v = network.unit(a, field=field), network.unit(b, field=field)
        if (a, b) not in network.feeds or (a, b) in removed:
            raise MissingFeedError(a, b, field=field)
        removed.add((a, b))
        if u == v:
            continue  # inside one unit: it carried no supply between units
        via = graph.edges[u, v]["via"] - {(a, FEEDS, b)}
        if via:
            graph.edges[u, v]["via"] = via
        else:
            graph.remove_edge(u, v)


def _add_feeds(network: SupplyNetwork, graph: nx.DiGraph, pairs: Sequence[Pair]) -> None:
    for i, (a, b) in enumerate(pairs):
        field = f"add_feeds[{i}]"
        u, v = network.unit(a, field=field), network.unit(b, field=field)
        if u == v or nx.has_path(graph, v, u):
            between = [] if u == v else nx.shortest_path(graph, v, u)[1:-1]
            raise CyclicInterventionError(a, b, (a, b, *between, a), field=field)
        via = graph.edges[u, v]["via"] if graph.has_edge(u, v) else frozenset()
        graph.add_edge(u, v, via=via | {(a, FEEDS, b)})


def _expand(network: SupplyNetwork, units: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(m for u in units for m in network.members[u]))
