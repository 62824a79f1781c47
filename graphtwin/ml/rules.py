"""Rule-based checks that need no model: the baseline the networks must beat, and checks that
run on any twin (`graphtwin ml detect --rules-only`).

Structural: points without equipment, equipment without location (on itself or on what it is
part of), VAVs fed by nothing, FEEDS cycles, relationships the vocabulary forbids
(ontologies/relationship_rules.yaml: a Point FEEDS nothing). Semantic: a declared class whose
words contradict the node's name on a facet (a name that says "return" for a class that says
"Supply"), judged against what the source said (an importer-normalised Discharge class is not
a Supply class the source chose) and with the words Brick renames into one another taken as one
(discharge, leaving and supply; entering and return).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphtwin.ml.classes import class_vocabulary, word_synonyms
from graphtwin.ml.features import kinds, piece_words
from graphtwin.ml.relationship_rules import relationship_rules
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.name_tokens import FACETS, tokens


@dataclass(frozen=True, slots=True)
class RuleFinding:
    row: int
    rule: str
    description: str
    evidence: dict[str, Any] = field(default_factory=dict)


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
    for row in vavs(arrays):
        if row not in fed:
            found.append(RuleFinding(row, "vav_fed_by_nothing", "VAV fed by nothing (no FEEDS)"))
    for cycle in feeds_cycles(arrays):  # one finding per cycle, on its first node
        found.append(
            RuleFinding(
                cycle[0],
                "feeds_cycle",
                f"first of a FEEDS cycle of {len(cycle)} nodes",
                evidence={"members": [arrays.twin_ids[r] for r in cycle]},
            )
        )
    return found + vocabulary_violations(arrays)


def vocabulary_violations(arrays: GraphArrays, limit: int = 8) -> list[RuleFinding]:
    """One finding per node that starts relationships the vocabulary forbids (of a kind no
    pattern of ontologies/relationship_rules.yaml allows at that end), with the relationships
    (the first `limit`) and their pattern (start kind, type, end kind) as evidence."""
    names, kind_names = relationship_types(), kinds()
    e = arrays.edges
    forbidden, _ = relationship_rules().table(kind_names, names).of(arrays.kinds, e)
    by_start: dict[int, list[tuple[int, int, int]]] = {}
    for a, rel, b in e[forbidden].tolist():
        by_start.setdefault(a, []).append((a, rel, b))
    found = []
    for row, edges in sorted(by_start.items()):
        patterns = sorted(
            {
                f"{kind_names[arrays.kinds[a]]}-{names[r]}->{kind_names[arrays.kinds[b]]}"
                for a, r, b in edges
            }
        )
        shown = [
            {"start": arrays.twin_ids[a], "type": names[r], "end": arrays.twin_ids[b]}
            for a, r, b in edges[:limit]
        ]
        first = shown[0]
        found.append(
            RuleFinding(
                row,
                "vocabulary_violation",
                f"the vocabulary forbids {patterns[0]}: ({first['start']})-[:{first['type']}]->"
                f"({first['end']})" + (f" and {len(edges) - 1} more" if len(edges) > 1 else ""),
                evidence={"patterns": patterns, "relationships": shown, "count": len(edges)},
            )
        )
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


def vavs(arrays: GraphArrays) -> list[int]:
    """Rows declared a VAV box (any Variable_Air_Volume class)."""
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
    """Names that contradict their class on a facet. Where the source said another class than
    the declared one (`GraphArrays.source_classes`), the name must contradict that one too."""
    vocab = class_vocabulary()
    same = word_synonyms()

    def words(text_words: set[str] | list[str]) -> set[str]:
        return {same.get(w, w) for w in text_words}

    facets = [frozenset(words(f)) for f in FACETS]
    inherited = _inherited_pieces(arrays)
    found = []
    for row in arrays.classified():
        declared = vocab.names[int(arrays.classes[row])]
        source_class = arrays.source_classes[row] if arrays.source_classes else ""
        own = piece_words(arrays.name_pieces[row] - inherited.get(int(row), frozenset()))
        said = words(own)
        meant = [words(tokens(c)) for c in (declared, source_class) if c]
        for facet in facets:
            a = said & facet
            if a and all(m & facet and not a & m for m in meant):
                shown = source_class or declared
                name_says = _on(own, facet, same)
                class_says = _on(tokens(shown), facet, same)
                found.append(
                    RuleFinding(
                        int(row),
                        "name_contradicts_class",
                        f"name says {'/'.join(name_says)}, class {shown} "
                        f"says {'/'.join(class_says)}",
                        evidence={
                            "name_says": name_says,
                            "class_says": class_says,
                            "declared": declared,
                            **({"source_class": source_class} if source_class else {}),
                        },
                    )
                )
                break
    return found


def _inherited_pieces(arrays: GraphArrays) -> dict[int, frozenset[str]]:
    """Per node, the name pieces of what it is a point or a part of: "5-Zone-PVAV-1 Coil Outlet
    Temperature", a point of the coil "5-Zone-PVAV-1 Coil", says "zone" about the coil's air
    handler, not about itself."""
    e = arrays.edges
    owners = e[np.isin(e[:, 1], [_type("HAS_POINT"), _type("HAS_PART")])]
    out: dict[int, frozenset[str]] = {}
    for whole, _, part in owners.tolist():
        out[part] = out.get(part, frozenset()) | arrays.name_pieces[whole]
    return out


def _on(text_words: set[str] | list[str], facet: frozenset[str], same: dict[str, str]) -> list[str]:
    """The words, as written, that say something on the facet."""
    return sorted({w for w in text_words if same.get(w, w) in facet})
