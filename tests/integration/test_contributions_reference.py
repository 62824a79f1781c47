"""reasoning/contributions and reasoning/contributions_up against a straightforward reference: a
breadth-first search, in Python, over the exported twin, up from every node, through the
stretches the statements' comment names.

reasoning/contributions walks down once from each anchor (what a constraint or regulation
APPLIES_TO), reasoning/contributions_up walks up from each node (ConstraintReader's choice for
a few ids); the reference searches up from each node. On
a small building with SAME_AS (a Brick and an IFC model of one building and one room),
LOCATED_IN (a sensor and a fan coil in a room), parts, a regulation on a floor and a selector's
constraint, both must find the same (anchor, node) pairs, each with a route that is a valid
walk of the pattern and as short as the shortest the reference finds; and ConstraintReader gives
the same effective constraints whichever statement it picks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from graphtwin.config import Settings
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

SITE = """
graphtwin: 1
source: brick
nodes:
  - id: bldg
    kind: Building
    contains:
      - id: l1
        kind: Floor
        contains:
          - {id: r101, kind: Space, brick_class: Office}
          - {id: r102, kind: Space, brick_class: Office}
          - {id: plant, kind: Space, brick_class: Mechanical_Room}
      - id: l2
        kind: Floor
        contains:
          - {id: r201, kind: Space, brick_class: Office}
  - {id: r101.zat, kind: Point, brick_class: Zone_Air_Temperature_Sensor,
     links: {LOCATED_IN: [r101]}}
  - {id: fcu-1, kind: Equipment, brick_class: Fan_Coil_Unit,
     links: {LOCATED_IN: [r102], HAS_PART: [fcu-1.fan], HAS_POINT: [fcu-1.sat]}}
  - {id: fcu-1.fan, kind: Equipment, brick_class: Fan, links: {HAS_POINT: [fcu-1.fan.cmd]}}
  - {id: fcu-1.sat, kind: Point, brick_class: Supply_Air_Temperature_Sensor}
  - {id: fcu-1.fan.cmd, kind: Point, brick_class: Fan_Speed_Command}
  - {id: ahu, kind: Equipment, brick_class: Air_Handling_Unit,
     links: {LOCATED_IN: [plant], SERVES: [l2], HAS_POINT: [ahu.sat]}}
  - {id: ahu.sat, kind: Point, brick_class: Supply_Air_Temperature_Sensor}
  # the IFC model of the same building: its storey holds the IFC twin of room 201
  - id: ifc-bldg
    kind: Building
    contains:
      - id: ifc-l2
        kind: Floor
        contains:
          - {id: ifc-r201, kind: Space, links: {HAS_POINT: [ifc-r201.co2]}}
  - {id: ifc-r201.co2, kind: Point, brick_class: CO2_Sensor}
relationships:
  - {from: bldg, type: SAME_AS, to: ifc-bldg, properties: {confidence: 1.0, method: manual}}
  - {from: ifc-r201, type: SAME_AS, to: r201, properties: {confidence: 1.0, method: manual}}
"""

RULES = """
graphtwin-governance: 1
source: rules
regulations:
  - id: reg-comfort
    name: Comfort
    constraints:
      - {id: bldg-temp, property: zone_air_temperature, min: 16, max: 28, unit: degC,
         severity: hard, applies_to: {ids: [bldg]}}
      - {id: office-temp, property: zone_air_temperature, min: 20, max: 26, unit: degC,
         severity: hard, when: occupied, applies_to: {kind: Space, brick_class: Office}}
  - id: reg-air
    name: Air quality
    applies_to: {ids: [l2]}
    constraints:
      - {id: co2-limit, property: co2_concentration, max: 1000, unit: ppm, severity: soft,
         applies_to: {ids: [ifc-r201]}}
  - id: reg-plant
    name: Plant
    constraints:
      - {id: fcu-sat, property: supply_air_temperature, max: 30, unit: degC, severity: soft,
         applies_to: {ids: [fcu-1]}}
"""

DOWN = ("CONTAINS", "HAS_PART", "HAS_POINT", "SERVES")
# The stretches of contributions.cypher, from the anchor down: (relationship types, forward
# (True) / backward (False) / either way (None), at most how many hops).
STRETCHES = [
    (("SAME_AS",), None, 2),
    (DOWN, True, 10),
    (("SAME_AS",), None, 2),
    (DOWN, True, 10),
    (("SAME_AS",), None, 2),
    (("LOCATED_IN",), False, 1),
    (("SAME_AS",), None, 2),
    (("HAS_PART", "HAS_POINT"), True, 4),
    (("SAME_AS",), None, 2),
]
Hop = tuple[str, str, str]  # (from, relation, to) as walked


def states_after(hops: list[Hop], edges: set[tuple[str, str, str]]) -> set[tuple[int, int]]:
    """The (stretch, hops in it) states the pattern can be in after walking `hops` (empty: the
    walk is not one the pattern allows)."""
    states = closure({(0, 0)})
    for start, relation, end in hops:
        moved = set()
        for stretch, count in states:
            types, forward, most = STRETCHES[stretch]
            if relation in types and count < most and allowed(start, relation, end, forward, edges):
                moved.add((stretch, count + 1))
        states = closure(moved)
    return states


def closure(states: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every stretch may end at once (each allows 0 hops)."""
    return {(later, 0) for stretch, _ in states for later in range(stretch + 1, len(STRETCHES))} | (
        states
    )


def allowed(
    here: str, relation: str, there: str, forward: bool | None, edges: set[tuple[str, str, str]]
) -> bool:
    ahead, behind = (here, relation, there) in edges, (there, relation, here) in edges
    return ahead if forward else behind if forward is False else ahead or behind


def shortest_from(anchor: str, edges: set[tuple[str, str, str]]) -> dict[str, int]:
    """node -> the length of the shortest walk of the pattern from `anchor` to it (breadth
    first over (node, stretch, hops in it))."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for start, relation, end in edges:
        out[start].append((relation, end))
        out[end].append((relation, start))
    best = {anchor: 0}
    seen = {(anchor, state) for state in closure({(0, 0)})}
    queue = deque((anchor, state, 0) for state in closure({(0, 0)}))
    while queue:
        node, (stretch, count), length = queue.popleft()
        types, forward, most = STRETCHES[stretch]
        if count == most:
            continue
        for relation, other in out[node]:
            if relation not in types or not allowed(node, relation, other, forward, edges):
                continue
            for state in closure({(stretch, count + 1)}):
                if (other, state) not in seen:
                    seen.add((other, state))
                    best.setdefault(other, length + 1)
                    queue.append((other, state, length + 1))
    return best


@pytest.fixture
def twin(store: TwinStore, tmp_path: Path) -> None:
    site, rules = tmp_path / "site.yaml", tmp_path / "rules.yaml"
    site.write_text(SITE)
    rules.write_text(RULES)
    for kind, path in (("twin", site), ("governance", rules)):
        store.load([IMPORTERS[kind].parse(path)])


STATEMENTS = ("reasoning/contributions", "reasoning/contributions_up")


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_statement_finds_what_a_search_up_from_every_node_finds(
    store: TwinStore, twin: None, statement: str
) -> None:
    graph = store.export().graph
    edges = {r.key for r in graph.relationships.values()}
    # the export leaves out what selectors derive: office-temp applies to every office
    offices = {
        n.twin_id
        for n in graph.nodes.values()
        if n.kind == "Space" and n.properties.get("brick_class") == "Office"
    }
    assert offices == {"r101", "r102", "r201"}
    edges |= {("office-temp", "APPLIES_TO", office) for office in offices}
    governors = {n.twin_id for n in graph.nodes.values() if n.kind in ("Constraint", "Regulation")}
    anchors = {
        end for start, relation, end in edges if relation == "APPLIES_TO" and start in governors
    }
    assert {"bldg", "r101", "r102", "r201", "l2", "ifc-r201", "fcu-1"} <= anchors
    ids = sorted(n.twin_id for n in graph.nodes.values() if n.twin_id not in governors)

    [found] = store.read(statement, ids=ids)
    relationships = {r["id"]: r for r in found["steps"]}
    routes: dict[tuple[str, str], list[Hop]] = {}
    for route in found["routes"]:
        hops = []
        for rid, backwards in zip(route["steps"], route["backwards"], strict=True):
            r = relationships[rid]
            ends = (r["end_id"], r["start_id"]) if backwards else (r["start_id"], r["end_id"])
            hops.append((ends[0], r["relation"], ends[1]))
        assert (route["anchor"], route["node"]) not in routes  # one route per pair
        routes[(route["anchor"], route["node"])] = hops

    expected = {
        (anchor, node): length
        for anchor in anchors
        for node, length in shortest_from(anchor, edges).items()
        if node in ids
    }
    assert set(routes) == set(expected)
    # some pairs that need each stretch: SAME_AS at the top and in the middle, LOCATED_IN, parts
    assert expected[("bldg", "ifc-r201.co2")] == 4  # bldg SAME_AS ifc-bldg CONTAINS ... HAS_POINT
    assert expected[("l2", "ifc-r201")] == 2  # l2 CONTAINS r201 SAME_AS ifc-r201
    assert expected[("r101", "r101.zat")] == 1  # the sensor LOCATED_IN the room
    assert expected[("r102", "fcu-1.fan.cmd")] == 3  # LOCATED_IN, HAS_PART, HAS_POINT
    assert ("r101", "plant") not in expected and ("bldg", "ahu.sat") in expected
    for pair, hops in routes.items():
        assert len(hops) == expected[pair], pair
        assert hops == [] or (hops[0][0], hops[-1][2]) == pair, pair
        assert all(a[2] == b[0] for a, b in itertools.pairwise(hops)), pair
        assert states_after(hops, edges), (pair, hops)

    # each route carries every rule of its anchor: the constraint that applies itself (with
    # its regulation's HAS_PART) or, for a regulation, each of its constraints
    rules = defaultdict(set)
    for rule in found["rules"]:
        rules[rule["anchor"]].add((rule["constraint_id"], rule["applies_to"]["from_id"]))
    assert rules["l2"] == {("co2-limit", "reg-air")}
    assert rules["ifc-r201"] == {("co2-limit", "co2-limit")}
    assert rules["r101"] == {("office-temp", "office-temp")}
    assert rules["bldg"] == {("bldg-temp", "bldg-temp")}


def lengths(answer: Any) -> Any:
    """`answer` with each `because` chain as its length and ends: where shortest routes tie
    (bldg to ifc-r201.co2: through l2 and r201, or through the IFC building and storey), the
    walk up and the walk down may each keep another."""
    if dataclasses.is_dataclass(answer) and not isinstance(answer, type):
        changes = {f.name: lengths(getattr(answer, f.name)) for f in dataclasses.fields(answer)}
        chain = getattr(answer, "because", ())
        if chain:
            changes["because"] = (len(chain), chain[0].from_id, chain[-1].to_id)
        return dataclasses.replace(answer, **changes)
    if isinstance(answer, dict):
        return {key: lengths(value) for key, value in answer.items()}
    if isinstance(answer, list | tuple):
        return type(answer)(lengths(item) for item in answer)
    return answer


def ask(
    settings: Settings, walk_up_below: int, question: Callable[[ConstraintReader], Awaitable[Any]]
) -> tuple[Any, int]:
    """`question` on a fresh reader that walks up for fewer than `walk_up_below` ids."""

    async def run() -> tuple[Any, int]:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            reader = ConstraintReader(driver, target.database, walk_up_below=walk_up_below)
            return await question(reader), reader.statements
        finally:
            await driver.close()

    return asyncio.run(run())


@pytest.mark.parametrize(
    "question",
    [
        lambda reader: reader.effective_constraints(["r101", "r101.zat", "fcu-1.fan.cmd"]),
        lambda reader: reader.effective_constraints(["ifc-r201.co2", "l2", "ahu.sat", "bldg"]),
        lambda reader: reader.effective_constraints(
            ["l1", "r101", "r102", "plant", "r101.zat", "fcu-1", "fcu-1.fan", "fcu-1.sat"]
        ),
    ],
    ids=["three nodes", "across SAME_AS", "floor l1"],
)
def test_the_reader_answers_the_same_whichever_walk_it_picks(
    neo4j_settings: Settings, twin: None, question: Callable[[ConstraintReader], Awaitable[Any]]
) -> None:
    down, down_statements = ask(neo4j_settings, 0, question)
    up, up_statements = ask(neo4j_settings, 10_000, question)
    assert lengths(up) == lengths(down)
    assert up_statements == down_statements
    assert down  # something is governed: an empty answer would prove nothing
