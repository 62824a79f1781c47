"""Rule-based checks that need no model: the baseline the networks must beat, and checks that
run on any twin (`graphtwin ml detect --rules-only`).

Structural: points without equipment (but a point located in a place: Brick lets a Location
have points), equipment without location (on itself, on what it is part of or contained in, or
the one place it or its parts serve), VAVs fed by nothing (each on the node, on one of its parts
fed from outside it, or on a node SAME_AS it), FEEDS cycles of one or two nodes (a relationship
written both ways; a longer cycle is a closed loop, as Brick models chilled and hot water, and an
air loop runs through the places it serves), relationships the vocabulary forbids
(ontologies/relationship_rules.yaml: a Point FEEDS nothing).

Semantic: a declared class whose words contradict the node's name on a facet (a name that says
"return" for a class that says "Supply"), judged against what the source said (an
importer-normalised Discharge class is not a Supply class the source chose) and with the words
Brick renames into one another taken as one (discharge, leaving and supply; entering and
return), the name of a place its equipment feeds left out ("flow_sensor_hvac_zone_C180" of the
VAV feeding "hvac_zone_C180"), and a loop's side left out where the name is a port's and says
no medium ("Supply Inlet Node": the supply side's inlet, where return air enters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from graphtwin.ml.classes import class_vocabulary, word_synonyms
from graphtwin.ml.features import kinds, piece_words
from graphtwin.ml.relationship_rules import kind_table
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.name_tokens import FACETS, tokens


@dataclass(frozen=True, slots=True)
class RuleFinding:
    row: int
    rule: str
    description: str
    evidence: dict[str, Any] = field(default_factory=dict)


PLACES = ("Site", "Building", "Floor", "Space", "Zone")
"""Kinds that are somewhere by themselves: what they contain is there too."""

PORT_WORDS = frozenset({"inlet", "outlet"})
MEDIUM_WORDS = frozenset({"air", "water", "steam", "refrigerant"})
LOOP_SIDES = frozenset({"supply", "return", "discharge"})
"""A name that says a port (inlet, outlet) and no medium uses supply/return for the side of a
loop the port is on, which says nothing of what flows through it: EnergyPlus's "Supply Inlet
Node" is where return air enters the supply side, a terminal's supply inlet takes supply air.
Such a name is not read as contradicting a Supply or Return class."""

LONGEST_MISTAKEN_CYCLE = 2
"""A FEEDS cycle of one node (it feeds itself) or two (each feeds the other) is a relationship
written the wrong way round. A longer one is a closed loop, which is how Brick models a chilled,
hot or condenser water loop (pump -> chiller -> coils -> back to the pump): not a defect."""


def _type(name: str) -> int:
    return relationship_types().index(name)


def _kind(name: str) -> int:
    return kinds().index(name)


def structural_findings(arrays: GraphArrays) -> list[RuleFinding]:
    e = arrays.edges
    found: list[RuleFinding] = []
    has_point = set(e[e[:, 1] == _type("HAS_POINT")][:, 2].tolist())
    # Brick's hasPoint and hasLocation both take a Location: a point in a room or on a floor
    # (a room sensor, a floor's average of its VAVs' flows) is where it belongs, not orphaned
    placed = np.isin(arrays.kinds, [_kind(k) for k in PLACES])
    in_place = e[(e[:, 1] == _type("LOCATED_IN")) & placed[e[:, 2]]]
    has_point = _with_same(arrays, has_point | set(in_place[:, 0].tolist()))
    for row in np.flatnonzero(arrays.kinds == _kind("Point")):
        if int(row) not in has_point:
            found.append(
                RuleFinding(
                    int(row), "point_without_equipment", "point of no equipment (no HAS_POINT)"
                )
            )
    located = set(e[e[:, 1] == _type("LOCATED_IN")][:, 0].tolist())
    located |= set(np.flatnonzero(np.isin(arrays.kinds, [_kind(k) for k in PLACES])).tolist())
    located = _with_same(arrays, located | _at_the_one_place_it_serves(arrays))
    # a whole, or what contains it (an ISA-95 unit in its area, an IFC boiler in its storey)
    part_of: dict[int, list[int]] = {}
    for a, _, b in e[np.isin(e[:, 1], [_type("HAS_PART"), _type("CONTAINS")])].tolist():
        part_of.setdefault(b, []).append(a)
    for row in np.flatnonzero(arrays.kinds == _kind("Equipment")):
        if not _located(int(row), located, part_of):
            found.append(
                RuleFinding(
                    int(row),
                    "equipment_without_location",
                    "equipment located nowhere (no LOCATED_IN, no whole or container that is)",
                )
            )
    fed = _with_same(arrays, _fed(arrays))
    for row in vavs(arrays):
        if row not in fed:
            found.append(RuleFinding(row, "vav_fed_by_nothing", "VAV fed by nothing (no FEEDS)"))
    places = np.isin(arrays.kinds, [_kind(k) for k in PLACES])
    for cycle in feeds_cycles(arrays):  # one finding per cycle, on its first node
        if places[cycle].any():  # supply air to the rooms and return air from them: a loop
            continue
        if len(cycle) > LONGEST_MISTAKEN_CYCLE:  # a closed water loop
            continue
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
    forbidden, _ = kind_table().of(arrays.kinds, e)
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


def _parts(arrays: GraphArrays) -> dict[int, set[int]]:
    """Per whole, its parts at any depth (HAS_PART): a VAV box's damper, its inlet and outlet,
    its valve's ports."""
    direct: dict[int, set[int]] = {}
    for whole, _, part in arrays.edges[arrays.edges[:, 1] == _type("HAS_PART")].tolist():
        direct.setdefault(whole, set()).add(part)
    out: dict[int, set[int]] = {}
    for whole in direct:
        seen: set[int] = set()
        todo = list(direct[whole])
        while todo:
            part = todo.pop()
            if part not in seen:
                seen.add(part)
                todo += direct.get(part, ())
        out[whole] = seen - {whole}
    return out


def _fed(arrays: GraphArrays) -> set[int]:
    """Nodes something feeds, and wholes one of whose parts something outside the whole feeds:
    air fed into a VAV box's inlet or damper is fed into the box (a model that connects the
    parts, as port-based models do, has not left the box unfed)."""
    feeds = arrays.edges[arrays.edges[:, 1] == _type("FEEDS")]
    feeders: dict[int, set[int]] = {}
    for a, _, b in feeds.tolist():
        feeders.setdefault(b, set()).add(a)
    fed = set(feeders)
    for whole, parts in _parts(arrays).items():
        inside = parts | {whole}
        if any(feeders.get(p, set()) - inside for p in parts):
            fed.add(whole)
    return fed


def _at_the_one_place_it_serves(arrays: GraphArrays) -> set[int]:
    """Equipment that serves or feeds, itself (or, where it serves nothing itself, through its
    parts: a VAV box's outlet), exactly one place (a space, zone or floor) and nothing else: a
    terminal unit is where it serves (VAV-201 and room 201), so a model that says so has not
    left it unplaced. What it feeds among its own parts is inside it, and a point it feeds is a
    vocabulary violation, reported as such, not a place it serves."""
    e = arrays.edges
    places = [_kind(k) for k in PLACES]
    point = _kind("Point")
    served = e[np.isin(e[:, 1], [_type("SERVES"), _type("FEEDS")])]
    ends: dict[int, set[int]] = {}
    for a, _, b in served.tolist():
        if int(arrays.kinds[b]) != point:
            ends.setdefault(a, set()).add(b)
    out = set()
    parts_of = _parts(arrays)
    for a in set(ends) | set(parts_of):
        parts = parts_of.get(a, set())
        bs = ends.get(a, set()) - parts - {a}
        if not bs:  # its own relationships speak for it; its parts' only where it has none
            bs = set().union(*(ends.get(p, set()) for p in parts)) - parts - {a}
        if len(bs) == 1 and int(arrays.kinds[next(iter(bs))]) in places:
            out.add(a)
    return out


def _with_same(arrays: GraphArrays, rows: set[int]) -> set[int]:
    """`rows` and every node SAME_AS one of them: one thing that several sources describe has
    what any of them says it has (the ISA-95 AHU is located where the Brick AHU is)."""
    same = arrays.edges[arrays.edges[:, 1] == _type("SAME_AS")]
    if not len(same):
        return rows
    out = set(rows)
    for component in nx.connected_components(nx.Graph(same[:, [0, 2]].tolist())):
        if component & rows:
            out |= component
    return out


def _located(row: int, located: set[int], part_of: dict[int, list[int]]) -> bool:
    """Whether the node, or a whole or container above it, is somewhere (or is a place)."""
    seen, todo = {row}, [row]
    while todo:
        row = todo.pop()
        if row in located:
            return True
        todo += [w for w in part_of.get(row, ()) if w not in seen]
        seen.update(todo)
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
        whole_name = set(piece_words(arrays.name_pieces[row]))
        if whole_name & PORT_WORDS and not whole_name & MEDIUM_WORDS:  # a loop side's port
            own = [w for w in own if w not in LOOP_SIDES]
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
    handler, not about itself.

    Likewise the name of a place its owner feeds or serves, where the node's name holds all of
    it: "flow_sensor_hvac_zone_C180", a point of the VAV that feeds "hvac_zone_C180", names the
    zone it is for, and says nothing of the air it measures ("VAV2-4.ZN_T" holds no place's
    whole name, so its "zone" is still read)."""
    e = arrays.edges
    owners = e[np.isin(e[:, 1], [_type("HAS_POINT"), _type("HAS_PART")])]
    out: dict[int, frozenset[str]] = {}
    for whole, _, part in owners.tolist():
        out[part] = out.get(part, frozenset()) | arrays.name_pieces[whole]
    places = np.isin(arrays.kinds, [_kind(k) for k in PLACES])
    served: dict[int, list[frozenset[str]]] = {}
    for a, _, b in e[
        np.isin(e[:, 1], [_type("FEEDS"), _type("SERVES")]) & places[e[:, 2]]
    ].tolist():
        served.setdefault(a, []).append(arrays.name_pieces[b])
    for whole, _, part in owners.tolist():
        for place in served.get(whole, ()):
            if place and place <= arrays.name_pieces[part]:
                out[part] = out.get(part, frozenset()) | place
    return out


def _on(text_words: set[str] | list[str], facet: frozenset[str], same: dict[str, str]) -> list[str]:
    """The words, as written, that say something on the facet."""
    return sorted({w for w in text_words if same.get(w, w) in facet})
