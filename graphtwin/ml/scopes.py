"""What one building is, for drift detection: peers, candidate relationships and data-quality
habits are judged inside one building, never across buildings.

A building is a `Building` node and its subtree (what CONTAINS, HAS_PART, HAS_POINT reach below
it and what is LOCATED_IN it, as `store.export(root=...)` walks it); Building nodes that SAME_AS
links say are one thing (the Brick and the IFC description of one building) are one building.
A node in no building's subtree belongs to the building that holds most of the nodes its source
defines, or, where the source defines no building, to the source: a model file without a
Building node is still one building. What is left (defined by no source) is one last scope.

For a campus export (a Site containing Buildings A and B, a regulation file): the scopes are
`bldg-a` (its floors, rooms, equipment and points), `bldg-b`, and `source twin:campus.yaml` for
the Site and whatever else the campus file defines outside both buildings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graphtwin.ml.tensors import GraphArrays, graph_arrays
from graphtwin.model import TwinGraph
from graphtwin.store import TwinStore
from graphtwin.store.reader import ExportedTwin
from graphtwin.vocabulary import vocabulary


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    """The building's twin_id (the first of several linked ones), or `source <id>`."""
    twin_ids: frozenset[str]


def building_scopes(graph: TwinGraph, defined_by: Mapping[str, set[str]]) -> list[Scope]:
    """The graph's nodes, split into buildings (`defined_by`: source id -> the twin_ids it
    defines, for the nodes of no Building). A node below two buildings goes to the first."""
    vocab = vocabulary()
    down, up = set(vocab.hierarchy_types("down")), set(vocab.hierarchy_types("up"))
    children: dict[str, list[str]] = defaultdict(list)
    same = nx.Graph()
    for r in graph.iter_relationships():
        if r.start not in graph.nodes or r.end not in graph.nodes:
            continue
        if r.type in down:
            children[r.start].append(r.end)
        elif r.type in up:
            children[r.end].append(r.start)
        elif r.type == "SAME_AS":
            same.add_edge(r.start, r.end)
    buildings = sorted(t for t, n in graph.nodes.items() if n.kind == "Building")
    same.add_nodes_from(buildings)
    linked = [
        sorted(b for b in c if b in graph.nodes and graph.nodes[b].kind == "Building")
        for c in nx.connected_components(same.subgraph(buildings))
    ]
    scopes: list[Scope] = []
    assigned: set[str] = set()
    for members in sorted(linked):
        ids = _below(members, children) - assigned
        assigned |= ids
        scopes.append(Scope(members[0], frozenset(ids)))
    for source in sorted(defined_by):
        defined = defined_by[source] & graph.nodes.keys()
        ids = defined - assigned
        if not ids:
            continue
        assigned |= ids
        # a source's nodes below no Building of it are still of its building (the one holding
        # most of the source): a model file is one building unless it describes several
        holding = [(len(defined & s.twin_ids), -i) for i, s in enumerate(scopes)]
        best = max(holding, default=(0, 0))
        if best[0]:
            i = -best[1]
            scopes[i] = Scope(scopes[i].name, scopes[i].twin_ids | ids)
        else:
            scopes.append(Scope(f"source {source}", frozenset(ids)))
    rest = graph.nodes.keys() - assigned
    if rest:
        scopes.append(Scope("no source", frozenset(rest)))
    return scopes


def _below(roots: list[str], children: Mapping[str, list[str]]) -> set[str]:
    seen = set(roots)
    frontier = list(roots)
    while frontier:
        frontier = [c for n in frontier for c in children.get(n, ()) if c not in seen]
        seen.update(frontier)
    return seen


def scoped_arrays(
    graph: TwinGraph, scopes: list[Scope], defined_by: Mapping[str, set[str]] | None = None
) -> GraphArrays:
    """The graph's arrays with one `graph_of` value per scope (and the scopes' names), so what
    judges one building (peers, candidates, habits) never reads another; and each node's
    source (`source_of`, the first of `defined_by` that defines it, "" for none)."""
    arrays = graph_arrays(graph)
    member = {t: i for i, s in enumerate(scopes) for t in s.twin_ids}
    arrays.graph_of = np.array([member[t] for t in arrays.twin_ids], dtype=np.int64)
    arrays.names = [s.name for s in scopes]
    source_of: dict[str, str] = {}
    for source in sorted(defined_by or {}, reverse=True):  # the first source wins
        source_of.update(dict.fromkeys((defined_by or {})[source], source))
    arrays.source_of = [source_of.get(t, "") for t in arrays.twin_ids]
    return arrays


def defined_by(store: TwinStore, sources: set[str]) -> dict[str, set[str]]:
    """Per source, the twin_ids it defines (for the nodes of no Building)."""
    return {s: store.scope(source=s) or set() for s in sorted(sources)}


def detection_arrays(store: TwinStore, exported: ExportedTwin) -> GraphArrays:
    """The exported part of the twin as arrays, one member graph per building."""
    graph, sources = exported.graph, defined_by(store, exported.sources)
    return scoped_arrays(graph, building_scopes(graph, sources), sources)
