"""Matching discovered addresses to twin points: by reference, then names and units (pure)."""

from __future__ import annotations

import yaml

from graphtwin.name_tokens import split_name, tokens
from graphtwin.telemetry.bindings import Binding
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.suggest.match import PointInfo, Suggestion, Suggestions
from graphtwin.telemetry.suggest.match import suggest_bindings as suggest
from graphtwin.telemetry.suggest.write import binding_line


def var(path: str, description: str = "", units: str | None = None) -> DiscoveredAddress:
    """An OPC UA variable with a string NodeId spelling its path, as the simulator makes them."""
    *folders, name = path.split("/")
    node_id = f"ns=2;s={path}"
    return DiscoveredAddress(
        {"node_id": node_id},
        name=name,
        description=description,
        units=units,
        reference=node_id,
        path=tuple(folders),
    )


def suggest_bindings(
    addresses: list[DiscoveredAddress], points: list[PointInfo], source: str, **kw: float
) -> list[Suggestion]:
    return suggest(addresses, points, source, **kw).matched


def pairs(suggestions: list[Suggestion]) -> dict[str, str]:
    return {s.twin_id: str(s.address.binding_fields["node_id"]) for s in suggestions}


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
    assert suggestions[0].address.name == "AHU2.SAT"
    assert suggestions[0].score == 0.95
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
    assert len({s.address.reference for s in suggestions}) == 2
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


def test_each_binding_line_is_valid_yaml_with_its_confidence_and_reason_as_a_comment():
    suggestions = suggest_bindings(
        [var("bldg-b/AHU2.SAT"), var('odd "name"/ZNT')],
        [
            PointInfo("urn:r:bldg-b/ahu-2/sat", "SAT", "bldg-b/ahu-2/sat", None),
            PointInfo("urn:r:zone", "Zone air temperature", None, None),
        ],
        "plant-opcua",
    )
    lines = [binding_line(s) for s in suggestions]
    assert lines[0] == (
        '- {source: plant-opcua, node_id: "ns=2;s=bldg-b/AHU2.SAT", '
        'point: {twin_id: "urn:r:bldg-b/ahu-2/sat"}}  '
        "# confidence 0.95: timeseries id bldg-b/ahu-2/sat is the address"
    )
    assert "# confidence 0." in lines[1]
    entries = [yaml.safe_load(line)[0] for line in lines]
    bindings = [Binding.model_validate(entry) for entry in entries]
    assert [b.node_id for b in bindings] == [s.address.reference for s in suggestions]
    assert bindings[1].node_id == 'ns=2;s=odd "name"/ZNT'
    assert {b.source for b in bindings} == {"plant-opcua"}


def bacnet(instance: int, name: str, units: str | None = None, device: int = 1001):
    """A BACnet analog input as a device's discovery reports it."""
    return DiscoveredAddress(
        {"object_type": "analog-input", "instance": instance, "device": device},
        name=name,
        units=units,
        reference=f"bacnet:{device}:analog-input,{instance}",
    )


def test_a_reference_the_point_spells_beats_a_better_name():
    addresses = [bacnet(1, "AHU-2 Supply Air Temperature"), bacnet(7, "AI-7")]
    points = [
        PointInfo(
            "urn:r:sat",
            "AHU-2 Supply Air Temperature",
            references=frozenset({"bacnet:1001:analog-input,7"}),
        )
    ]
    (only,) = suggest_bindings(addresses, points, "bms")
    assert only.address.binding_fields["instance"] == 7
    assert only.score == 1.0
    assert "reference bacnet:1001:analog-input,7" in only.reason


def test_a_timeseries_id_naming_an_mqtt_topic_or_a_sparkplug_metric_is_a_reference():
    topic = DiscoveredAddress({"topic": "site/ahu2/t1"}, name="t1", reference="mqtt:site/ahu2/t1")
    metric = DiscoveredAddress(
        {"topic": "spBv1.0/plant/DDATA/edge1/ahu2", "metric": "Temp"},
        name="Temp",
        reference="spb:plant/edge1/ahu2/Temp",
    )
    points = [
        PointInfo("urn:r:a", "Unrelated words", timeseries_id="site/ahu2/t1"),
        PointInfo("urn:r:b", "Something else", timeseries_id="plant/edge1/ahu2/Temp"),
    ]
    result = suggest([topic, metric], points, "broker")
    assert {(s.twin_id, s.address.name, s.score) for s in result.matched} == {
        ("urn:r:a", "t1", 1.0),
        ("urn:r:b", "Temp", 1.0),
    }


def test_units_that_contradict_the_points_class_veto_a_name_match():
    flow_named = var("AHU2/SupplyAir", units="degrees-celsius")
    points = [
        PointInfo("urn:r:flow", "AHU-2 supply air", brick_class="Supply_Air_Flow_Sensor"),
        PointInfo("urn:r:temp", "AHU-2 supply air", brick_class="Supply_Air_Temperature_Sensor"),
    ]
    (match,) = suggest_bindings([flow_named], points, "plant")
    assert match.twin_id == "urn:r:temp"
    assert "units degrees-celsius fit" in match.reason
    (vetoed,) = suggest_bindings([flow_named], points[:1], "plant", min_score=0.0)
    alike = suggest_bindings([var("AHU2/SupplyAir")], points[:1], "plant", min_score=0.0)
    assert vetoed.score < alike[0].score / 2
    assert "units degrees-celsius vs a volume_flow point" in vetoed.reason


def test_the_points_own_unit_outranks_what_its_name_says():
    address = var("AHU2/SAT", units="°F")  # a temperature in another unit still fits
    point = PointInfo("urn:r:sat", "AHU-2 supply air temperature", unit="DEG_C")
    assert "fit" in suggest_bindings([address], [point], "plant")[0].reason
    litres = PointInfo("urn:r:sat", "AHU-2 supply air temperature", unit="L-PER-SEC")
    assert suggest_bindings([address], [litres], "plant") == []


def test_units_say_what_an_address_with_a_bare_name_measures():
    addresses = [
        bacnet(3, "AHU2 SA", units="degrees-celsius"),
        bacnet(4, "AHU2 SA", units="liters-per-second"),
    ]
    points = [
        PointInfo("urn:r:flow", "AHU-2 supply air flow"),
        PointInfo("urn:r:temp", "AHU-2 supply air temperature"),
    ]
    chosen = {
        s.twin_id: s.address.binding_fields["instance"]
        for s in suggest_bindings(addresses, points, "bms")
    }
    assert chosen == {"urn:r:temp": 3, "urn:r:flow": 4}


def test_unmatched_points_and_addresses_are_reported_in_input_order():
    addresses = [var("AHU2/SAT"), var("Boiler/Status"), var("AHU2/RAT")]
    points = [
        PointInfo("urn:r:zone-co2", "Zone CO2"),
        PointInfo("urn:r:sat", "AHU-2 supply air temperature"),
        PointInfo("urn:r:oat", "Outside air temperature"),
    ]
    result = suggest(addresses, points, "plant")
    assert isinstance(result, Suggestions)
    assert [s.twin_id for s in result.matched] == ["urn:r:sat"]
    assert [p.twin_id for p in result.unmatched_points] == ["urn:r:zone-co2", "urn:r:oat"]
    assert [a.name for a in result.unmatched_addresses] == ["Status", "RAT"]


def test_the_minimum_confidence_leaves_out_weaker_suggestions():
    addresses = [var("AHU2/SAT"), var("AHU2/Fan")]
    points = [
        PointInfo("urn:r:sat", "AHU-2 supply air temperature", "bldg/ahu2/sat"),
        PointInfo("urn:r:fan", "AHU-2 supply fan speed"),
    ]
    everything = suggest_bindings(addresses, points, "plant", min_score=0.0)
    assert len(everything) == 2
    cut = (everything[0].score + everything[1].score) / 2
    strong = suggest_bindings(addresses, points, "plant", min_score=cut)
    assert [s.twin_id for s in strong] == [everything[0].twin_id]
    assert all(s.score >= cut for s in strong)


def test_among_a_thousand_look_alike_points_each_finds_its_own_address():
    kinds = {
        "SAT": "Supply Air Temperature",
        "ZN-T-SP": "Zone Air Temperature Setpoint",
        "SA-FLW": "Supply Air Flow",
        "DMPR-POS": "Damper Position",
    }
    addresses, points = [], []
    for unit in range(250):  # only the number tells VAV-17 from VAV-117
        for abbreviation, words in kinds.items():
            addresses.append(var(f"B/VAV{unit}/{abbreviation}"))
            points.append(PointInfo(f"urn:vav-{unit}/{abbreviation}", f"VAV-{unit} {words}"))
    result = suggest(list(reversed(addresses)), points, "plant")
    assert len(result.matched) == len(points)
    assert all(
        s.address.reference == f"ns=2;s=B/VAV{s.twin_id.removeprefix('urn:vav-')}"
        for s in result.matched
    )
