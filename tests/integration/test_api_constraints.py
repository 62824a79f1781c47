"""Constraint propagation through the API: effective constraints with their because chains, a
conflict, a capacity check and violations(scope), over HTTP on the real server."""

from __future__ import annotations

import pytest

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

TWIN = """
graphtwin: 1
source: plant-b
nodes:
  - id: b
    kind: Building
    name: Building B
    contains:
      - id: f1
        kind: Floor
        name: Level 1
        contains:
          - {id: office, kind: Space, name: Office 1, brick_class: Office}
          - {id: cold-store, kind: Space, name: Cold store, brick_class: Storage_Room}
  - id: ahu
    kind: Equipment
    name: AHU-B
    brick_class: Air_Handling_Unit
    links: {FEEDS: [vav-1, vav-2]}
  - id: vav-1
    kind: Equipment
    name: VAV-1
    brick_class: Variable_Air_Volume_Box
    properties: {supply_air_flow: 0.9, supply_air_flow_unit: m3/s}
    links: {FEEDS: [office], HAS_POINT: [vav-1.zat]}
  - id: vav-2
    kind: Equipment
    name: VAV-2
    brick_class: Variable_Air_Volume_Box
    properties: {supply_air_flow: 0.8, supply_air_flow_unit: m3/s}
  - {id: vav-1.zat, kind: Point, name: VAV-1 zone temperature,
     brick_class: Zone_Air_Temperature_Sensor, properties: {unit: DEG_C}}
"""
GOVERNANCE = """
graphtwin-governance: 1
source: rules-b
regulations:
  - id: reg-site
    name: Site comfort rule
    constraints:
      - {id: building-temperature, property: zone_air_temperature, min: 18, max: 27,
         unit: degC, severity: hard, applies_to: {ids: [b]}}
  - id: reg-office
    name: Office comfort standard
    constraints:
      - {id: office-temperature, property: zone_air_temperature, min: 20, max: 26,
         unit: degC, severity: hard, applies_to: {kind: Space, brick_class: Office}}
      - {id: cold-store-temperature, property: zone_air_temperature, max: 8, unit: degC,
         severity: hard, applies_to: {ids: [cold-store]}}
      - {id: ahu-airflow, property: supply_air_flow, max: 1.5, unit: m3/s, severity: hard,
         type: capacity, applies_to: {ids: [ahu]}}
"""
EFFECTIVE = """query($id: ID!) { node(twinId: $id) { effectiveConstraints {
  property unit conflict min { value constraintIds } max { value constraintIds }
  issues { kind constraintIds }
  contributions { constraintId reachesBy explanation because { relation toId selector } } } } }"""


@pytest.fixture
def plant(api: ApiServer, store: TwinStore, tmp_path) -> ApiServer:
    """The plant, then its rules, loaded in-process (`graphtwin import` has its own tests)."""
    (tmp_path / "plant.yaml").write_text(TWIN)
    (tmp_path / "rules.yaml").write_text(GOVERNANCE)
    store.load([IMPORTERS["twin"].parse(tmp_path / "plant.yaml")])
    store.load([IMPORTERS["governance"].parse(tmp_path / "rules.yaml")])
    return api


def test_the_tightest_hard_bound_wins_and_each_says_why(plant: ApiServer):
    [effective] = plant.data(EFFECTIVE, variables={"id": "office"})["node"]["effectiveConstraints"]
    assert effective["property"] == "zone_air_temperature" and not effective["conflict"]
    assert effective["min"] == {"value": 20.0, "constraintIds": ["office-temperature"]}
    assert effective["max"] == {"value": 26.0, "constraintIds": ["office-temperature"]}
    why = {c["constraintId"]: c for c in effective["contributions"]}
    own, inherited = why["office-temperature"], why["building-temperature"]
    assert own["reachesBy"] == "own"
    assert own["because"][1] == {"relation": "APPLIES_TO", "toId": "office",
                                 "selector": "office-temperature"}  # fmt: skip
    assert inherited["reachesBy"] == "inherited"
    assert [s["relation"] for s in inherited["because"]] == [
        "HAS_PART", "APPLIES_TO", "CONTAINS", "CONTAINS"
    ]  # fmt: skip
    assert inherited["because"][-1]["toId"] == "office"
    assert "Site comfort rule" in inherited["explanation"]


def test_bounds_that_cannot_all_hold_are_a_conflict(plant: ApiServer):
    [effective] = plant.data(EFFECTIVE, variables={"id": "cold-store"})["node"][
        "effectiveConstraints"
    ]
    assert effective["conflict"] is True
    [issue] = [i for i in effective["issues"] if i["kind"] == "empty_range"]
    assert set(issue["constraintIds"]) == {"building-temperature", "cold-store-temperature"}


def test_capacity_and_current_values_are_checked_across_the_subtree(plant: ApiServer):
    checks = plant.data('{ capacityChecks(scope: "ahu") { twinId total max violated complete '
                        "demands { child value } } }")["capacityChecks"]  # fmt: skip
    [check] = checks
    assert check["violated"] and check["complete"]
    assert check["total"] == pytest.approx(1.7) and check["max"] == 1.5
    assert {d["child"] for d in check["demands"]} == {"vav-1", "vav-2"}

    plant.data(
        'mutation { recordPointValues(values: [{twinId: "vav-1.zat", value: 28.5}]) { applied } }',
        role=Role.OPERATOR,
    )
    query = """{ violations(scope: "b") { kind twinId property value bound limit point
                 constraints { constraintId } observedVia { relation toId } description } }"""
    found = plant.data(query)["violations"]
    [hot] = [v for v in found if v["kind"] == "range" and v["twinId"] == "office"]
    assert hot["point"] == "vav-1.zat" and hot["value"] == 28.5
    assert hot["bound"] == "max" and hot["limit"] == 26.0
    assert [c["constraintId"] for c in hot["constraints"]] == ["office-temperature"]
    assert any(s["relation"] == "FEEDS" for s in hot["observedVia"])
    assert all(v["twinId"] != "ahu" for v in found)  # the AHU is not in building b's subtree
    capacity = plant.data('{ violations(scope: "ahu") { kind twinId } }')["violations"]
    assert {"kind": "capacity", "twinId": "ahu"} in capacity
