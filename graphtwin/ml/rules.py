"""Rule-based checks that need no model: the baseline the networks must beat, and checks that
run on any twin (`graphtwin ml detect --rules-only`).

Structural: points without equipment, equipment without location (on itself or on what it is
part of), VAVs fed by nothing, FEEDS cycles. Semantic: a declared class whose words contradict
the node's name on a facet (a name that says "return" for a class that says "Supply").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.features import kinds, piece_words
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.name_tokens import FACETS, tokens


@dataclass(frozen=True, slots=True)
class RuleFinding:
    row: int
    rule: str
    description: str


def _type(name: str) -> int:
    return relationship_types().index(name)


def _kind(name: str) -> int:
    return kinds().index(name)


def structural_findings(arrays: GraphArrays) -> list[RuleFinding]:
    e = arrays.edges
    found: list[RuleFinding] = []
    has_point = set(e[e[:, 1] == _type("HAS_POINT")][:, 2].tolist())
    for row in np.flatnonzero(arrays.kinds == _kind("Point")):
        if int(row) not in has_point:
            found.append(
                RuleFinding(
                    int(row), "point_without_equipment", "point of no equipment (no HAS_POINT)"
                )
            )
    located = set(e[e[:, 1] == _type("LOCATED_IN")][:, 0].tolist())
    part_of = {int(b): int(a) for a, _, b in e[e[:, 1] == _type("HAS_PART")].tolist()}
    for row in np.flatnonzero(arrays.kinds == _kind("Equipment")):
        if not _located(int(row), located, part_of):
            found.append(
                RuleFinding(
                    int(row),
                    "equipment_without_location",
                    "equipment located nowhere (no LOCATED_IN, nor its whole)",
                )
            )
    fed = set(e[e[:, 1] == _type("FEEDS")][:, 2].tolist())
    for row in _vavs(arrays):
        if row not in fed:
            found.append(RuleFinding(row, "vav_fed_by_nothing", "VAV fed by nothing (no FEEDS)"))
    for cycle in feeds_cycles(arrays):
        for row in cycle:
            found.append(RuleFinding(row, "feeds_cycle", f"in a FEEDS cycle of {len(cycle)} nodes"))
    return found


def _located(row: int, located: set[int], part_of: dict[int, int]) -> bool:
    seen = set()
    while row not in seen:
        if row in located:
            return True
        seen.add(row)
        if row not in part_of:
            return False
        row = part_of[row]
    return False


def _vavs(arrays: GraphArrays) -> list[int]:
    vocab = class_vocabulary()
    vav = {i for i, n in enumerate(vocab.names) if "Variable_Air_Volume" in n}
    return [int(r) for r in np.flatnonzero(np.isin(arrays.classes, sorted(vav)))]


def feeds_cycles(arrays: GraphArrays) -> list[list[int]]:
    """Strongly connected FEEDS components of two or more nodes, and self-feeding nodes
    (Tarjan's algorithm, iterative: plant loops can be long)."""
    feeds = arrays.edges[arrays.edges[:, 1] == _type("FEEDS")]
    succ: dict[int, list[int]] = {}
    for a, _, b in feeds.tolist():
        succ.setdefault(a, []).append(b)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    cycles: list[list[int]] = []
    counter = 0
    for start in sorted(succ):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ.get(node, [])
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in succ.get(node, []):
                    cycles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def semantic_findings(arrays: GraphArrays) -> list[RuleFinding]:
    vocab = class_vocabulary()
    found = []
    for row in arrays.classified():
        declared = vocab.names[int(arrays.classes[row])]
        said = set(piece_words(arrays.name_pieces[row]))
        meant = tokens(declared)
        for facet in FACETS:
            a, b = said & facet, meant & facet
            if a and b and not a & b:
                found.append(
                    RuleFinding(
                        int(row),
                        "name_contradicts_class",
                        f"name says {'/'.join(sorted(a))}, class {declared} "
                        f"says {'/'.join(sorted(b))}",
                    )
                )
                break
    return found
