"""The what-if page's pure parts: the form read as a ScenarioInput (a wrong field is a 400
naming it, before anything runs) and a run's charts (worst zones first, a line and a band per
variant)."""

from __future__ import annotations

import pytest

from graphtwin.web.errors import WebActionError
from graphtwin.web.whatif_chart import MAX_ZONES, zone_charts
from graphtwin.web.whatif_form import scenario_input

FORM = {"name": "AHU-1 trips", "intervention_type": "trip", "intervention_target": "ahu-1"}


def test_a_minimal_form_trips_the_target_over_four_hours_from_now():
    assert scenario_input(FORM) == {
        "name": "AHU-1 trips",
        "horizon": "4h",
        "step": "5m",
        "interventions": [{"type": "TRIP", "target": "ahu-1"}],
    }


def test_setpoint_actions_outdoor_price_and_a_start_without_offset_read_as_utc():
    form = {
        **FORM,
        "start": "2026-07-08T09:00",
        "outdoor": "constant",
        "outdoor_value": "31.5",
        "price": "0.2",
        "carbon": "0.4",
        "action_0_name": "",  # an empty row is left out
        "action_1_name": "pre-cool",
        "action_1_type": "cooling_setpoint",
        "action_1_target": "zone-1",
        "action_1_value": "-1",
    }
    scenario = scenario_input(form)
    assert scenario["start"] == "2026-07-08T09:00:00+00:00"
    assert scenario["outdoor"] == {"source": "CONSTANT", "value": 31.5}
    assert scenario["tariff"] == {"default": 0.2} and scenario["carbon"] == {"default": 0.4}
    assert scenario["actions"] == [
        {
            "name": "pre-cool",
            "interventions": [
                {"type": "SETPOINT", "target": "zone-1", "setpoint": "COOLING", "delta": -1.0}
            ],
        }
    ]


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("name", "", "name"),
        ("intervention_target", "", "intervention"),
        ("horizon", "30d", "horizon"),
        ("intervention_type", "explode", "intervention_type"),
        ("outdoor_value", "warm", "outdoor_value"),
    ],
)
def test_a_wrong_field_is_a_400_naming_it(field: str, value: str, named: str):
    form = {**FORM, "outdoor": "constant", "outdoor_value": "30", field: value}
    with pytest.raises(WebActionError) as refused:
        scenario_input(form)
    assert refused.value.status == 400 and named in refused.value.reason


def test_an_action_with_a_name_but_no_target_is_refused_naming_it():
    with pytest.raises(WebActionError, match="'more air' needs a type and a target"):
        scenario_input({**FORM, "action_0_name": "more air", "action_0_type": "airflow"})


def _trajectory(variant: str, zone: str) -> dict:
    return {"variant": variant, "node": zone, "property": "air_temperature", "unit": "degC",
            "times": ["2026-07-08T09:00:00+00:00", "2026-07-08T09:05:00+00:00"],
            "values": [24.0, 25.0], "lower": [23.0, 24.0], "upper": [25.0, 26.0]}  # fmt: skip


def test_charts_show_violating_zones_then_those_losing_supply_each_with_every_variant():
    zones = [f"z{i}" for i in range(MAX_ZONES + 2)]
    run = {
        "outcomes": [
            {"name": "inaction", "zonesAffected": ["z5"], "firstViolation": None},
            {"name": "more air", "zonesAffected": [], "firstViolation": None},
        ],
        "impact": {"lost": ["z3"]},
        "trajectories": [
            *(_trajectory(v, z) for v in ("inaction", "more air") for z in zones),
            {**_trajectory("inaction", "z0"), "property": "hvac_power", "unit": "W"},
        ],
    }
    charts = zone_charts(run)
    assert [c["zone"] for c in charts] == ["z5", "z3", "z0", "z1", "z2", "z4"]
    first = charts[0]
    assert [s["name"] for s in first["series"]] == ["inaction", "more air"]
    assert first["bands"][0] == {"name": "inaction", "lower": [23.0, 24.0], "upper": [25.0, 26.0]}
    assert first["x"][1] - first["x"][0] == 300 and first["unit"] == "degC"
