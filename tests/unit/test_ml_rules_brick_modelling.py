"""The rules read valid Brick modelling as valid, and still find the defects: tiny Brick files
through the Brick importer, each with the valid pattern and the defect side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.ml.dataset import building
from graphtwin.ml.rules import semantic_findings, structural_findings

PREFIXES = """@prefix brick: <https://brickschema.org/schema/Brick#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix : <http://example.com/b#> .
:bldg a brick:Building .
:floor1 a brick:Floor ; brick:isPartOf :bldg .
:room1 a brick:Room ; brick:isPartOf :floor1 .
:room2 a brick:Room ; brick:isPartOf :floor1 .
:ahu1 a brick:Air_Handling_Unit ; brick:hasLocation :floor1 .
"""

CASES = [
    pytest.param(
        "point_without_equipment",
        # Brick lets a Location have points: a floor's average flow, a room's own sensor
        """
:floor_avg_flow a brick:Supply_Air_Flow_Sensor ; brick:hasLocation :floor1 .
:room_temp a brick:Zone_Air_Temperature_Sensor ; brick:isPointOf :room1 .
:stray_temp a brick:Zone_Air_Temperature_Sensor .
""",
        {"stray_temp"},
        id="a point located in a place is not a point of no equipment",
    ),
    pytest.param(
        "vav_fed_by_nothing",
        # a port-based model connects the box's parts; a box with nothing upstream of it (its
        # inlet feeds only its own damper) is still found
        """
:vav1 a brick:Variable_Air_Volume_Box ; brick:hasLocation :room1 .
:vav1_damper a brick:Damper ; brick:isPartOf :vav1 .
:ahu1 brick:feeds :vav1_damper .
:vav2 a brick:Variable_Air_Volume_Box ; brick:hasLocation :room2 .
:vav2_damper a brick:Damper ; brick:isPartOf :vav2 .
:vav2_inlet a brick:Damper ; brick:isPartOf :vav2 ; brick:feeds :vav2_damper .
""",
        {"vav2"},
        id="a VAV whose part is fed from outside it is fed",
    ),
    pytest.param(
        "equipment_without_location",
        # vav1 says nothing itself and its outlet damper feeds room 1: the box is there; vav2's
        # dampers feed two rooms (each damper is at its room), which does not place the box
        """
:vav1 a brick:Variable_Air_Volume_Box .
:vav1_outlet a brick:Damper ; brick:isPartOf :vav1 ; brick:feeds :room1 .
:ahu1 brick:feeds :vav1, :vav2 .
:vav2 a brick:Variable_Air_Volume_Box .
:vav2_a a brick:Damper ; brick:isPartOf :vav2 ; brick:feeds :room1 .
:vav2_b a brick:Damper ; brick:isPartOf :vav2 ; brick:feeds :room2 .
""",
        {"vav2"},
        id="equipment is at the one place its parts serve",
    ),
    pytest.param(
        "feeds_cycle",
        # a chilled water loop is a cycle by nature; two fans feeding each other are a mistake
        """
:pump1 a brick:Chilled_Water_Pump ; brick:hasLocation :floor1 ; brick:feeds :chiller1 .
:chiller1 a brick:Chiller ; brick:hasLocation :floor1 ; brick:feeds :coil1 .
:coil1 a brick:Chilled_Water_Coil ; brick:hasLocation :floor1 ; brick:feeds :pump1 .
:fan1 a brick:Supply_Fan ; brick:hasLocation :floor1 ; brick:feeds :fan2 .
:fan2 a brick:Supply_Fan ; brick:hasLocation :floor1 ; brick:feeds :fan1 .
""",
        {"fan1"},
        id="a closed water loop is no feeds cycle, two nodes feeding each other are",
    ),
    pytest.param(
        "name_contradicts_class",
        # EnergyPlus's supply side inlet node carries return air; "supply air" says supply
        """
:ahu1 brick:hasPoint :inlet_t, :rat .
:inlet_t a brick:Return_Air_Temperature_Sensor ;
    rdfs:label "PVAV-1 Supply Inlet Node Temperature" .
:rat a brick:Return_Air_Temperature_Sensor ; rdfs:label "PVAV-1 Supply Air Temperature" .
""",
        {"rat"},
        id="a loop side's port name does not contradict the medium",
    ),
    pytest.param(
        "name_contradicts_class",
        # a point named after the zone its VAV feeds names the zone, not the air it measures;
        # a zone temperature sensor declared a supply air one is still found
        """
:vav1 a brick:Variable_Air_Volume_Box ; brick:hasLocation :room1 ;
    brick:feeds :hvac_zone_C180 ; brick:hasPoint :flow_sensor_hvac_zone_C180, :vav1_znt .
:hvac_zone_C180 a brick:HVAC_Zone .
:flow_sensor_hvac_zone_C180 a brick:Supply_Air_Flow_Sensor .
:vav1_znt a brick:Supply_Air_Temperature_Sensor ; rdfs:label "VAV1 ZN-T" .
""",
        {"vav1_znt"},
        id="a point named after the zone its equipment feeds is not a zone point",
    ),
]


@pytest.mark.parametrize(("rule", "turtle", "flagged"), CASES)
def test_valid_brick_modelling_is_not_flagged_and_the_defect_is(
    tmp_path: Path, rule: str, turtle: str, flagged: set[str]
) -> None:
    path = tmp_path / "b.ttl"
    path.write_text(PREFIXES + turtle)
    arrays = building(path).arrays
    found = structural_findings(arrays) + semantic_findings(arrays)
    assert {arrays.twin_ids[f.row].rsplit("#", 1)[-1] for f in found if f.rule == rule} == flagged
