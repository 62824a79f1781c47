"""Matching browsed OPC UA variables to twin points by name (pure: no server)."""

from __future__ import annotations

import yaml

from graphtwin.telemetry.bindings import Binding
from graphtwin.telemetry.suggest import (
    BrowsedVariable,
    PointInfo,
    Suggestion,
    split_name,
    suggest_bindings,
    suggestions_yaml,
    tokens,
)


def var(path: str, description: str = "") -> BrowsedVariable:
    """A variable with a string NodeId spelling its path, as the simulator makes them."""
    return BrowsedVariable(
        node_id=f"ns=2;s={path}",
        browse_path="/".join(f"2:{part}" for part in path.split("/")),
        display_name=path.rsplit("/", 1)[-1],
        description=description,
    )


def pairs(suggestions: list[Suggestion]) -> dict[str, str]:
    return {s.twin_id: s.variable.node_id for s in suggestions}


def test_names_split_on_punctuation_camel_case_and_digits():
    assert split_name("AHU2.SupplyAirTemp") == ["ahu", "2", "supply", "air", "temp"]
    assert split_name("bldg-b/VAV_201/ZNT-SP") == ["bldg", "b", "vav", "201", "znt", "sp"]
    assert split_name("HTTPServer") == ["http", "server"]
    assert split_name("VAV-01") == split_name("vav1")  # leading zeros do not matter


def test_bms_abbreviations_expand_to_the_words_a_model_uses():
    assert tokens("SAT") == {"supply", "air", "temperature"}
    assert tokens("OAT") == {"outside", "air", "temperature"}
    assert tokens("ZNT") == tokens("ZAT") == tokens("Zone Air Temperature")
    assert tokens("RAT") == {"return", "air", "temperature"}
    assert tokens("ZN-T-STPT") >= {"zone", "setpoint"}
    assert tokens("sp") == tokens("Stpt") == {"setpoint"}
    assert tokens("OA_DMPR_POS") == {"outside", "air", "damper", "position"}
    assert tokens("AHU-2 Fan") == {"ahu", "2", "fan"}
    # abbreviations run together are split when the whole word is made of them
    assert tokens("SATSP") == {"supply", "air", "temperature", "setpoint"}
    # an ordinary word is not taken apart
    assert tokens("Pressure") == {"pressure"}


def test_a_timeseries_id_spelling_the_address_scores_highest():
    variables = [var("bldg-b/AHU2.SAT"), var("bldg-b/AHU2.RAT")]
    points = [
        PointInfo("urn:r:sat", "Discharge temperature", "bldg-b/ahu-2/sat", None),
        PointInfo("urn:r:rat", "AHU-2 Return Air Temperature", None, None),
    ]
    suggestions = suggest_bindings(variables, points, "plant")
    assert suggestions[0].twin_id == "urn:r:sat"
    assert suggestions[0].variable.node_id == "ns=2;s=bldg-b/AHU2.SAT"
    assert suggestions[0].score == 1.0
    assert "bldg-b/ahu-2/sat" in suggestions[0].reason
    assert 0.5 <= suggestions[1].score < 0.9
    assert pairs(suggestions)["urn:r:rat"] == "ns=2;s=bldg-b/AHU2.RAT"


def test_a_timeseries_id_that_ends_like_the_address_scores_next():
    variables = [var("AHU2.SAT")]  # no building folder on this server
    points = [PointInfo("urn:r:sat", "whatever", "bldg-b/ahu-2/sat", None)]
    (suggestion,) = suggest_bindings(variables, points, "plant")
    assert suggestion.score == 0.9
    assert "end alike" in suggestion.reason


def test_equipment_numbers_and_qualifiers_pick_the_right_variable():
    variables = [
        var("Plant/AHU1/SAT"),
        var("Plant/AHU2/SAT"),
        var("Plant/AHU2/RAT"),
        var("Plant/AHU2/SAT-SP"),
        var("Plant/VAV201/ZoneTemp"),
        var("Plant/VAV202/ZoneTemp"),
    ]
    points = [
        PointInfo(
            "urn:r:ahu-2-rat", "AHU-2 Return Air Temp", None, "Return_Air_Temperature_Sensor"
        ),
        PointInfo(
            "urn:r:ahu-2-sat", "AHU-2 Supply Air Temp", None, "Supply_Air_Temperature_Sensor"
        ),
        PointInfo(
            "urn:r:ahu-2-sat-sp", "AHU-2 SAT setpoint", None, "Supply_Air_Temperature_Setpoint"
        ),
        PointInfo("urn:r:ahu-1-sat", "AHU 1 supply air temperature", None, None),
        PointInfo("urn:r:vav-202", "VAV-202 zone air temperature", None, None),
    ]
    assert pairs(suggest_bindings(variables, points, "plant")) == {
        "urn:r:ahu-2-rat": "ns=2;s=Plant/AHU2/RAT",
        "urn:r:ahu-2-sat": "ns=2;s=Plant/AHU2/SAT",
        "urn:r:ahu-2-sat-sp": "ns=2;s=Plant/AHU2/SAT-SP",
        "urn:r:ahu-1-sat": "ns=2;s=Plant/AHU1/SAT",
        "urn:r:vav-202": "ns=2;s=Plant/VAV202/ZoneTemp",
    }


def test_the_description_counts_as_evidence():
    variables = [var("dev7/ch3", "Outside air temperature"), var("dev7/ch4", "Boiler status")]
    points = [PointInfo("urn:r:oat", "OAT", None, "Outside_Air_Temperature_Sensor")]
    assert pairs(suggest_bindings(variables, points, "plant")) == {"urn:r:oat": "ns=2;s=dev7/ch3"}


def test_each_variable_and_each_point_is_used_at_most_once():
    variables = [var("AHU2/SAT"), var("AHU2/SAT-copy")]
    points = [
        PointInfo("urn:r:a", "AHU-2 supply air temperature", None, None),
        PointInfo("urn:r:b", "AHU-2 supply air temperature", None, None),
        PointInfo("urn:r:c", "AHU-2 supply air temperature", None, None),
    ]
    suggestions = suggest_bindings(variables, points, "plant", min_score=0.1)
    assert len(suggestions) == 2
    assert len({s.twin_id for s in suggestions}) == 2
    assert len({s.variable.node_id for s in suggestions}) == 2
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_weak_or_contradicting_matches_stay_below_the_threshold():
    variables = [var("AHU1/SAT"), var("Meters/Main/kWh")]
    points = [
        PointInfo(
            "urn:r:ahu-1-rat", "AHU-1 Return Air Temp", None, "Return_Air_Temperature_Sensor"
        ),
        PointInfo("urn:r:zone", "Room 12 humidity", None, None),
    ]
    assert suggest_bindings(variables, points, "plant") == []
    # with no threshold the contradiction is still visible in the reason
    (weak,) = suggest_bindings(variables, points[:1], "plant", min_score=0.0)
    assert weak.score < 0.5
    assert "supply vs return" in weak.reason


def test_nothing_in_common_suggests_nothing():
    assert suggest_bindings([var("X/Y")], [PointInfo("urn:r:p", "Q", None, None)], "s") == []
    assert suggest_bindings([], [PointInfo("urn:r:p", "SAT", None, None)], "s") == []
    assert suggest_bindings([var("SAT")], [], "s") == []


def test_the_yaml_is_valid_bindings_with_score_and_reason_comments():
    suggestions = suggest_bindings(
        [var("bldg-b/AHU2.SAT"), var('odd "name"/ZNT')],
        [
            PointInfo("urn:r:bldg-b/ahu-2/sat", "SAT", "bldg-b/ahu-2/sat", None),
            PointInfo("urn:r:zone", "Zone air temperature", None, None),
        ],
        "plant-opcua",
    )
    text = suggestions_yaml(suggestions)
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        '- {source: plant-opcua, node_id: "ns=2;s=bldg-b/AHU2.SAT", '
        'point: {twin_id: "urn:r:bldg-b/ahu-2/sat"}}  '
        "# score 1.00: timeseries id bldg-b/ahu-2/sat is the address"
    )
    assert "# score 0." in lines[1]
    entries = yaml.safe_load(text)
    bindings = [Binding.model_validate(entry) for entry in entries]
    assert [b.node_id for b in bindings] == [s.variable.node_id for s in suggestions]
    assert bindings[1].node_id == 'ns=2;s=odd "name"/ZNT'
    assert {b.source for b in bindings} == {"plant-opcua"}
    assert suggestions_yaml([]) == ""
