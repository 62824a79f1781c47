"""What the explorer, point and system views make of the API's answers, without a server: a
value's state in words, the chart's aligned series, and the FEEDS network with each node's
state."""

from __future__ import annotations

import pytest

from graphtwin.web.chart import chart_data, epoch_s, summary
from graphtwin.web.health import css_class, shown_value, state_of, worst
from graphtwin.web.network import NETWORK_STATES, build_network

T0 = "2026-12-07T10:00:00+00:00"
T1 = "2026-12-07T10:15:00+00:00"
T2 = "2026-12-07T10:30:00+00:00"


@pytest.mark.parametrize(
    ("current", "state"),
    [
        ({"health": "ok", "quality": "good"}, "ok"),
        ({"health": "ok", "quality": "uncertain"}, "uncertain"),
        ({"health": "stale", "quality": "uncertain"}, "stale"),
        ({"health": "ok", "quality": "bad"}, "bad"),
        ({"health": "fault", "quality": "good"}, "bad"),
        ({"health": "unknown", "quality": None}, "no value"),
        (None, "no value"),
    ],
)
def test_a_values_state_is_the_worse_of_its_health_and_quality(current, state):
    assert state_of(current) == state


def test_the_worst_state_wins_and_each_state_has_its_own_css_class():
    assert worst(["ok", "uncertain", "ok"]) == "uncertain"
    assert worst([]) is None
    assert css_class("critical drift") == "state-critical-drift"


def test_a_shown_value_has_its_unit_and_no_needless_digits():
    assert shown_value({"value": 20.0, "unit": "degC"}) == "20 degC"
    assert shown_value({"value": 1234.567, "unit": "kWh"}) == "1234.57 kWh"
    assert shown_value({"value": 1.0, "unit": "none"}) == "1"
    assert shown_value(None) == ""


def test_history_and_forecast_share_one_time_axis_with_gaps_as_null():
    history = [{"time": T0, "value": 20.0}, {"time": T1, "value": 20.5}]
    forecast = {
        "status": "ok",
        "values": [
            {"time": T1, "mean": 20.4, "lower80": 20, "upper80": 21, "lower95": 19, "upper95": 22},
            {"time": T2, "mean": 20.8, "lower80": 20, "upper80": 21, "lower95": 19, "upper95": 22},
        ],
    }
    chart = chart_data(history, forecast, {"criticalHigh": 30.0, "warningLow": None})
    assert chart["x"] == [epoch_s(T0), epoch_s(T1), epoch_s(T2)]
    assert chart["series"]["history"] == [20.0, 20.5, None]
    assert chart["series"]["mean"] == [None, 20.4, 20.8]
    assert chart["series"]["upper95"] == [None, 22, 22]
    assert chart["series"]["criticalHigh"] == [30.0, 30.0, 30.0]
    assert "warningLow" not in chart["series"]  # a bound the rule does not set is not drawn


def test_a_forecast_without_values_adds_no_series():
    chart = chart_data([{"time": T0, "value": 20.0}], {"status": "insufficient_history"}, None)
    assert list(chart["series"]) == ["history"]


def test_the_charts_text_summary_names_the_range_and_its_extremes():
    shown = summary([{"time": T0, "value": 21.0}, {"time": T2, "value": 19.5}])
    assert shown == {"count": 2, "first": T0, "last": T2, "lowest": 19.5, "highest": 21.0,
                     "latest": 19.5}  # fmt: skip
    assert summary([]) is None


def _equipment(twin_id: str, feeds: list[str]) -> dict:
    return {
        "twinId": twin_id,
        "name": twin_id.upper(),
        "kind": "Equipment",
        "relationships": [
            {"direction": "OUT", "other": {"twinId": t, "name": t.upper()}} for t in feeds
        ],
    }


def _points(twin_id: str, health: str) -> list[dict]:
    return [{"twinId": f"{twin_id}.p", "current": {"health": health, "quality": "good"}}]


def test_the_network_holds_each_feeds_link_once_and_leaves_out_equipment_without_links():
    chiller = _equipment("chiller", ["ahu"])
    ahu = _equipment("ahu", ["vav"])
    ahu["relationships"].append(  # the same link seen from its other end
        {"direction": "IN", "other": {"twinId": "chiller", "name": "CHILLER"}}
    )
    network = build_network([chiller, ahu, _equipment("meter", [])])
    assert network.edges == [("ahu", "vav"), ("chiller", "ahu")]
    assert set(network.nodes) == {"chiller", "ahu", "vav"}
    assert network.nodes["ahu"].feeds == ["vav"] and network.nodes["ahu"].fed_by == ["chiller"]
    network.judge({"ahu": _points("ahu", "ok")}, [], [])
    assert network.to_json()["nodes"][0] == {
        "id": "ahu", "name": "AHU", "kind": "Equipment", "state": "ok", "points": ["ahu.p"],
    }  # fmt: skip
    assert network.to_json()["edges"] == [
        {"source": "ahu", "target": "vav"},
        {"source": "chiller", "target": "ahu"},
    ]


def test_a_nodes_state_is_the_worst_of_violation_drift_and_its_points_values():
    network = build_network([_equipment("ahu", ["vav-1", "vav-2", "vav-3"])])
    points = {
        "ahu": _points("ahu", "stale"),
        "vav-1": _points("vav-1", "ok"),
        "vav-2": _points("vav-2", "ok"),
        "outside": _points("outside", "fault"),  # not in the network: no node made for it
    }
    violations = [{"twinId": "room-1", "point": "vav-1.p", "description": "21 > 20 max"}]
    issues = [
        {"twinId": "vav-2.p", "type": "threshold", "severity": "critical"},
        {"twinId": "ahu", "type": "staleness", "severity": "warning"},
    ]
    network.judge(points, violations, issues)
    states = {twin_id: node.state for twin_id, node in network.nodes.items()}
    assert states == {
        "ahu": "drift",
        "vav-1": "violation",
        "vav-2": "critical drift",
        "vav-3": "no value",
    }
    assert network.nodes["vav-1"].reasons == ["21 > 20 max"]
    assert network.nodes["ahu"].reasons == [
        "1 open drift issue(s): staleness",
        "a point's value is stale",
    ]
    assert set(states.values()) <= set(NETWORK_STATES)
