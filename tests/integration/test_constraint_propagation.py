"""Constraints propagate through the real graph: inherited with their because chains, combined,
checked against current values and capacities, in a constant number of statements."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from graphtwin.cli.constraints_cmd import constraints, violations
from graphtwin.config import Settings
from graphtwin.errors import TwinNotFoundError
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

SITE = """
graphtwin: 1
source: site
nodes:
  - id: bldg
    kind: Building
    name: Building A
    contains:
      - id: floor-1
        kind: Floor
        contains:
          - id: room-101
            kind: Space
            name: Office 101
            brick_class: Office
            links: {HAS_POINT: [room-101.zat]}
          - {id: room-102, kind: Space, name: Office 102, brick_class: Office}
          - {id: lab, kind: Space, name: Materials lab, brick_class: Laboratory}
          - {id: plant, kind: Space, name: Plant room, brick_class: Mechanical_Room}
  - {id: room-101.zat, kind: Point, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: DEG_C, value: 22.5}}
  - id: ahu
    kind: Equipment
    name: AHU-1
    brick_class: Air_Handling_Unit
    links: {LOCATED_IN: [plant], FEEDS: [vav-1, vav-2, vav-3]}
  - id: vav-1
    kind: Equipment
    brick_class: Variable_Air_Volume_Box
    links: {FEEDS: [room-102], HAS_POINT: [vav-1.zat, vav-1.saf]}
  - {id: vav-2, kind: Equipment, brick_class: Variable_Air_Volume_Box,
     links: {HAS_POINT: [vav-2.saf]}}
  - {id: vav-3, kind: Equipment, brick_class: Variable_Air_Volume_Box,
     links: {HAS_POINT: [vav-3.saf]}}
  - {id: vav-1.zat, kind: Point, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: DEG_C, value: 27.5}}
  - {id: vav-1.saf, kind: Point, brick_class: Supply_Air_Flow_Sensor,
     properties: {unit: L-PER-SEC, value: 900}}
  - {id: vav-2.saf, kind: Point, brick_class: Supply_Air_Flow_Sensor,
     properties: {unit: M3-PER-SEC, value: 0.8}}
  - {id: vav-3.saf, kind: Point, brick_class: Supply_Air_Flow_Sensor,
     properties: {unit: M3-PER-HR, value: 2700}}
  # the same AHU and VAV as the BIM model has them (one thing each, not two), with the duct
  # between them that only the BIM model knows
  - {id: ahu-bim, kind: Equipment, ifc_class: IfcUnitaryEquipment, links: {FEEDS: [duct-bim]}}
  - {id: duct-bim, kind: Equipment, ifc_class: IfcDuctSegment, links: {FEEDS: [vav-3-bim]}}
  - {id: vav-3-bim, kind: Equipment, ifc_class: IfcAirTerminalBox}
relationships:
  - {from: ahu, type: SAME_AS, to: ahu-bim, properties: {confidence: 1.0, method: manual}}
  - {from: vav-3-bim, type: SAME_AS, to: vav-3, properties: {confidence: 1.0, method: manual}}
"""

RULES = """
graphtwin-governance: 1
source: rules
regulations:
  - id: reg-comfort
    name: EN 16798-1 cat. II
    constraints:
      - {id: bldg-temp, name: Building band, property: zone_air_temperature, min: 16, max: 28,
         unit: degC, severity: hard, applies_to: {ids: [bldg]}}
      - {id: office-temp, property: zone_air_temperature, min: 20, max: 26, unit: degC,
         severity: hard, when: occupied, applies_to: {kind: Space, brick_class: Office}}
      - {id: cold-store, property: zone_air_temperature, min: 2, max: 8, unit: degC,
         severity: hard, applies_to: {ids: [lab]}}
  - id: reg-air
    name: Indoor air quality rule
    applies_to: {ids: [floor-1]}
    constraints:
      - {id: co2-limit, property: co2_concentration, max: 1000, unit: ppm, severity: soft,
         applies_to: {ids: [lab]}}
  - id: reg-plant
    name: AHU design data
    constraints:
      - {id: ahu-capacity, name: AHU-1 design supply airflow, property: supply_air_flow,
         max: 2.4, unit: m3/s, severity: hard, type: capacity, applies_to: {ids: [ahu]}}
"""


@pytest.fixture
def twin(store: TwinStore, tmp_path: Path) -> Path:
    """The site, then its rules, loaded in-process (`graphtwin import` has its own tests)."""
    site, rules = tmp_path / "site.yaml", tmp_path / "rules.yaml"
    site.write_text(SITE)
    rules.write_text(RULES)
    for kind, path in (("twin", site), ("governance", rules)):
        store.load([IMPORTERS[kind].parse(path)])
    return site


def ask(settings: Settings, question: Callable[[ConstraintReader], Awaitable[Any]]) -> Any:
    """Run one question on a fresh async reader; returns (answer, statements run)."""

    async def run() -> tuple[Any, int]:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            reader = ConstraintReader(driver, target.database)
            return await question(reader), reader.statements
        finally:
            await driver.close()

    return asyncio.run(run())


def hops(contribution) -> list[tuple[str, str, str]]:
    return [(s.from_id, s.relation, s.to_id) for s in contribution.because]


def group(effective, prop: str, when: str | None = None, ctype: str = "range"):
    [found] = [
        e for e in effective if (e.property, e.when, e.constraint_type) == (prop, when, ctype)
    ]
    return found


def test_a_building_rule_reaches_a_rooms_point_with_the_chain_that_explains_it(
    twin, neo4j_settings
):
    answer, _ = ask(neo4j_settings, lambda r: r.effective_constraints(["room-101.zat"]))
    effective = answer["room-101.zat"]
    always = group(effective, "zone_air_temperature")
    assert (always.min.value, always.max.value, always.unit) == (16.0, 28.0, "degC")
    [inherited] = always.contributions
    assert hops(inherited) == [
        ("reg-comfort", "HAS_PART", "bldg-temp"),
        ("bldg-temp", "APPLIES_TO", "bldg"),
        ("bldg", "CONTAINS", "floor-1"),
        ("floor-1", "CONTAINS", "room-101"),
        ("room-101", "HAS_POINT", "room-101.zat"),
    ]
    applies = inherited.because[1]
    assert (applies.sources, applies.selector) == (("rules",), None)
    assert inherited.inherited
    assert inherited.explain() == (
        "EN 16798-1 cat. II -> has part Building band -> applies to (explicit) Building A -> "
        "contains floor-1 -> contains Office 101 -> has point room-101.zat"
    )

    # The office rule comes from a selector on the room and holds when occupied, on top of
    # the building's band (which holds always).
    occupied = group(effective, "zone_air_temperature", "occupied")
    assert (occupied.min.value, occupied.max.value) == (20.0, 26.0)
    assert occupied.max.constraint_ids == ("office-temp",)
    office = occupied.contribution("office-temp")
    assert hops(office) == [
        ("reg-comfort", "HAS_PART", "office-temp"),
        ("office-temp", "APPLIES_TO", "room-101"),
        ("room-101", "HAS_POINT", "room-101.zat"),
    ]
    assert office.because[1].selector == "office-temp"
    assert {c.constraint_id for c in occupied.contributions} == {"office-temp", "bldg-temp"}


def test_a_regulation_that_applies_to_a_floor_brings_its_constraints_to_every_room(
    twin, neo4j_settings
):
    answer, _ = ask(neo4j_settings, lambda r: r.effective_constraints(["room-102", "lab"]))
    co2 = group(answer["room-102"], "co2_concentration")
    [via] = co2.contributions
    assert via.via_regulation
    assert hops(via) == [
        ("reg-air", "HAS_PART", "co2-limit"),
        ("reg-air", "APPLIES_TO", "floor-1"),
        ("floor-1", "CONTAINS", "room-102"),
    ]
    assert (co2.min, co2.max, co2.target_max.value) == (None, None, 1000.0)
    # the lab has the constraint itself (shortest chain wins over the regulation's route)
    [own] = group(answer["lab"], "co2_concentration").contributions
    assert not own.via_regulation
    assert hops(own)[1] == ("co2-limit", "APPLIES_TO", "lab")


def test_two_hard_ranges_without_a_common_value_are_reported_as_a_conflict(twin, neo4j_settings):
    answer, _ = ask(neo4j_settings, lambda r: r.effective_constraints(["lab"]))
    lab = group(answer["lab"], "zone_air_temperature")
    assert lab.conflict
    [issue] = [i for i in lab.issues if i.kind == "empty_range"]
    assert set(issue.constraint_ids) == {"bldg-temp", "cold-store"}
    assert (lab.min.constraint_ids, lab.max.constraint_ids) == (("bldg-temp",), ("cold-store",))


def test_an_ahu_whose_vavs_demand_more_than_its_capacity_is_a_capacity_violation(
    twin, neo4j_settings
):
    checks, _ = ask(neo4j_settings, lambda r: r.capacity_checks("bldg"))
    # the AHU and its BIM twin are one parent, VAV-3 and its twin one child, and the duct the
    # BIM model puts in between is looked through, not a child without a demand
    [check] = checks
    assert (check.node, check.constraint.constraint_id) == ("ahu", "ahu-capacity")
    assert {d.child: d.value for d in check.demands} == {"vav-1": 0.9, "vav-2": 0.8, "vav-3": 0.75}
    assert check.total == 2.45
    assert check.missing == ()
    assert check.violated and check.bound == "max"
    # the BIM twin of the AHU carries the same capacity constraint, through SAME_AS
    answer, _ = ask(neo4j_settings, lambda r: r.effective_constraints(["ahu-bim"]))
    capacity = group(answer["ahu-bim"], "supply_air_flow", ctype="capacity")
    assert hops(capacity.contributions[0])[-1] == ("ahu", "SAME_AS", "ahu-bim")


def test_violations_find_a_hot_room_through_the_sensor_of_the_vav_that_feeds_it(
    twin, neo4j_settings
):
    found, _ = ask(neo4j_settings, lambda r: r.violations("bldg"))
    summary = {(v.kind, v.node, v.point, v.constraint_ids) for v in found}
    assert summary == {
        ("range", "room-102", "vav-1.zat", ("office-temp",)),
        ("capacity", "ahu", None, ("ahu-capacity",)),
    }
    [hot] = [v for v in found if v.kind == "range"]
    assert (hot.value, hot.unit, hot.bound, hot.limit, hot.severity) == (
        27.5,
        "DEG_C",
        "max",
        26.0,
        "hard",
    )
    assert hot.when == "occupied"
    assert [(s.from_id, s.relation, s.to_id) for s in hot.observed_via] == [
        ("vav-1.zat", "HAS_POINT", "vav-1"),
        ("vav-1", "FEEDS", "room-102"),
    ]
    assert hops(hot.constraints[0])[1] == ("office-temp", "APPLIES_TO", "room-102")
    # the scope itself is checked, and a scope with nothing wrong says so
    found, _ = ask(neo4j_settings, lambda r: r.violations("room-102"))
    assert [(v.node, v.point) for v in found] == [("room-102", "vav-1.zat")]
    found, _ = ask(neo4j_settings, lambda r: r.violations("room-101"))
    assert found == []


def test_effective_constraints_for_fifty_nodes_run_as_many_statements_as_for_one(
    store, tmp_path, twin, neo4j_settings
):
    rooms = "".join(
        f"          - {{id: r{i:02}, kind: Space, brick_class: Office}}\n" for i in range(49)
    )
    more = tmp_path / "floor-2.yaml"
    more.write_text(
        "graphtwin: 1\nsource: floor-2\nnodes:\n  - id: floor-2\n    kind: Floor\n"
        "    contains:\n" + rooms + "relationships:\n"
        "  - {from: bldg, type: CONTAINS, to: floor-2}\n"
    )
    store.load([IMPORTERS["twin"].parse(more)])
    ids = ["room-101.zat", *(f"r{i:02}" for i in range(49))]
    _, one = ask(neo4j_settings, lambda r: r.effective_constraints(ids[:1]))
    answer, fifty = ask(neo4j_settings, lambda r: r.effective_constraints(ids))
    assert one == fifty == 2  # which ids exist, and every contribution of every node
    assert len(answer) == 50
    assert all(group(answer[f"r{i:02}"], "zone_air_temperature", "occupied") for i in range(49))


def test_an_unknown_or_retired_node_is_a_twin_not_found_error(store, twin, neo4j_settings):
    with pytest.raises(TwinNotFoundError) as exc:
        ask(neo4j_settings, lambda r: r.effective_constraints(["room-101", "no-such-room"]))
    assert exc.value.twin_id == "no-such-room"
    for question in (lambda r: r.violations("nope"), lambda r: r.capacity_checks("nope")):
        with pytest.raises(TwinNotFoundError):
            ask(neo4j_settings, question)
    # the site without room-102: it is retired, history, no longer part of the twin
    twin.write_text(SITE.replace("room-102", "room-999"))
    store.load([IMPORTERS["twin"].parse(twin)])
    with pytest.raises(TwinNotFoundError):
        ask(neo4j_settings, lambda r: r.effective_constraints(["room-102"]))


def test_the_cli_prints_the_chains_and_the_violations(twin, neo4j_env):
    app = typer.Typer()
    app.command()(constraints)
    app.command()(violations)
    runner = CliRunner()
    env = {**neo4j_env, "COLUMNS": "400"}  # chains on one line each
    shown = runner.invoke(app, ["constraints", "room-101.zat"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "applies to (explicit) Building A -> contains floor-1 -> contains Office 101" in (
        shown.output
    )
    assert "applies to (selector) Office 101 -> has point room-101.zat" in shown.output
    listed = runner.invoke(app, ["violations", "bldg", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.output)
    assert sorted(v["kind"] for v in payload["violations"]) == ["capacity", "range"]
    missing = runner.invoke(app, ["violations", "nope"], env=env)
    assert missing.exit_code == 2
