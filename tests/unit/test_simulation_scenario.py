"""The what-if scenario file and its GraphQL twin: the example loads, the JSON Schema is current,
and every bad scenario is refused with the field to fix and, in a file, its line."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from graphtwin.simulation.errors import ScenarioError
from graphtwin.simulation.result import INACTION
from graphtwin.simulation.scenario import (
    AirflowChange,
    EpwOutdoor,
    Outage,
    SetpointChange,
    load_scenario,
    scenario_from_data,
    scenario_json_schema,
)
from graphtwin.yamlio import load_yaml
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "scenarios" / "ahu-trip.yaml"
M = "eplus:ASHRAE901_OfficeMedium_STD2019_Denver"

HEAD = """\
graphtwin-scenario: 1
name: test
horizon: 4h
"""
TRIP = """\
interventions:
  - type: trip
    target: ahu-1
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line of `text` that holds `snippet`."""
    found = [n for n, line in enumerate(textwrap.dedent(text).splitlines(), 1) if snippet in line]
    return found[occurrence - 1]


def refused(tmp_path: Path, text: str, **limits) -> ScenarioError:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, **limits)
    error = caught.value
    assert error.file == str(path)
    named = f"{error.field}: " if error.field else ""
    assert str(error) == f"{path}:{error.line}: {named}{error.reason}"
    return error


def test_the_example_loads_as_inaction_and_its_two_actions():
    scenario = load_scenario(EXAMPLE)
    variants = scenario.variants()
    assert [v.name for v in variants] == [
        INACTION,
        "raise other floors' airflow",
        "relax unoccupied setpoints",
    ]
    trip = variants[0].interventions[0]
    assert isinstance(trip, Outage) and trip.target == f"{M}/ahu/PACU_VAV_bot"
    raise_air = variants[1].interventions[1:]
    assert {iv.target for iv in raise_air} == {f"{M}/ahu/PACU_VAV_mid", f"{M}/ahu/PACU_VAV_top"}
    assert all(isinstance(iv, AirflowChange) and iv.factor == 1.3 for iv in raise_air)
    relax = variants[2].interventions[1:]
    assert all(isinstance(iv, SetpointChange) and iv.delta_k == 2 for iv in relax)
    assert all("/zone/" in iv.target and "bot" in iv.target for iv in relax)
    assert variants[2].interventions[0] is trip  # every action runs on top of the event
    assert scenario.steps * scenario.step_s == scenario.horizon_s == 4 * 3600
    assert scenario.start is not None
    assert scenario.local_tz.utcoffset(scenario.start) == timedelta(hours=-7)


def test_every_id_the_example_names_comes_with_its_field():
    named = dict(load_scenario(EXAMPLE).named_ids())
    assert named["scope"] == f"{M}/building/OfficeMedium"
    assert named["interventions[0].target"] == f"{M}/ahu/PACU_VAV_bot"
    assert named["actions[1].interventions[4].target"] == f"{M}/zone/Perimeter_bot_ZN_4"
    assert load_scenario(EXAMPLE).targets() == set(named.values())


def test_the_published_json_schema_is_current():
    published = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    assert published == scenario_json_schema(), (
        "docs/scenario.schema.json is stale: run "
        "`.venv/bin/graphtwin schema scenario > docs/scenario.schema.json`"
    )


def test_every_example_scenario_validates_against_the_json_schema():
    examples = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
    assert examples
    for path in examples:
        jsonschema.validate(load_yaml(path)[0], scenario_json_schema())


BAD = [
    pytest.param(
        HEAD + "interventions:\n  - type: explode\n    target: ahu-1\n",
        "interventions[0].type",
        "type: explode",
        "explode",
        id="unknown type",
    ),
    pytest.param(
        HEAD + "interventions:\n  - type: trip\n    until: 1h\n",
        "interventions[0].target",
        "type: trip",
        "required field is missing",
        id="missing target",
    ),
    pytest.param(
        "graphtwin-scenario: 1\nname: long\nhorizon: 8d\n" + TRIP,
        "horizon",
        "horizon: 8d",
        "over the limit of 7d",
        id="horizon over the limit",
    ),
    pytest.param(
        HEAD + "step: 7m\n" + TRIP,
        "step",
        "step: 7m",
        "does not divide the horizon",
        id="step not dividing the horizon",
    ),
    pytest.param(
        HEAD + "step: 30s\n" + TRIP,
        "step",
        "step: 30s",
        "1 minute",
        id="step under a minute",
    ),
    pytest.param(
        HEAD + TRIP + "    at: 2h\n    until: 1h\n",
        "interventions[0].until",
        "until: 1h",
        "not after at 2h",
        id="until before at",
    ),
    pytest.param(
        HEAD + TRIP + "    until: 5h\n",
        "interventions[0].until",
        "until: 5h",
        "after the horizon",
        id="until after the horizon",
    ),
    pytest.param(
        HEAD + "interventions:\n  - {type: setpoint, target: z1, setpoint: cooling,\n"
        "     value: 26, delta: 2}\n",
        "interventions[0].delta",
        "value: 26, delta: 2",
        "exactly one of value and delta",
        id="both value and delta",
    ),
    pytest.param(
        HEAD + "interventions:\n  - {type: occupancy, target: z1}\n",
        "interventions[0].watts_per_m2",
        "type: occupancy",
        "exactly one of factor and watts_per_m2",
        id="neither factor nor watts",
    ),
    pytest.param(
        HEAD + "interventions:\n  - {type: airflow, target: ahu-2, factor: 0}\n",
        "interventions[0].factor",
        "type: airflow",
        "greater than 0",
        id="airflow factor 0",
    ),
    pytest.param(
        HEAD + TRIP + "actions:\n  - name: open windows\n    interventions: [{type: airflow, "
        "target: ahu-2, factor: 1.2}]\n  - name: Open windows \n    interventions: "
        "[{type: airflow, target: ahu-3, factor: 1.2}]\n",
        "actions[1].name",
        "name: Open windows",
        "also the name of actions[0]",
        id="duplicate action names",
    ),
    pytest.param(
        HEAD + TRIP + "actions:\n  - name: Inaction\n    interventions: [{type: airflow, "
        "target: ahu-2, factor: 1.2}]\n",
        "actions[0].name",
        "name: Inaction",
        "always run",
        id="an action named inaction",
    ),
    pytest.param(
        HEAD + "interventions:\n  - {type: remove_feed, from: ahu-1, to: vav-1}\n"
        "actions:\n  - name: bypass\n    interventions:\n"
        "      - {type: add_feed, from: ahu-1, to: vav-1}\n",
        "actions[0].interventions[0]",
        "type: add_feed",
        "contradicts remove_feed of the same feed at interventions[0] (in action 'bypass')",
        id="add and remove of the same feed",
    ),
    pytest.param(
        HEAD + "interventions:\n  - {type: add_feed, from: ahu-1, to: ahu-1}\n",
        "interventions[0].to",
        "type: add_feed",
        "to itself",
        id="a feed from a node to itself",
    ),
    pytest.param(
        HEAD + "interventions:\n"
        "  - {type: setpoint, target: z1, setpoint: cooling, value: 26, until: 2h}\n"
        "  - {type: setpoint, target: z1, setpoint: cooling, value: 24, at: 1h}\n",
        "interventions[1]",
        "value: 24",
        "interventions[0] sets it too",
        id="two absolute setpoints at once",
    ),
    pytest.param(
        HEAD + "start: 2025-07-08T09:00:00\n" + TRIP,
        "start",
        "start:",
        "timezone",
        id="a start without an offset",
    ),
    pytest.param(
        HEAD + TRIP + "tariff:\n  periods: [{from: '08:00', to: '08:00', price: 0.3}]\n",
        "tariff.periods[0].to",
        "from: '08:00'",
        "00:00 to 24:00",
        id="an empty period",
    ),
    pytest.param(
        HEAD + TRIP + "outdoor: {source: constant}\n",
        "outdoor.value",
        "source: constant",
        "required field is missing",
        id="constant outdoor without a value",
    ),
    pytest.param(
        HEAD + TRIP + "outdoor:\n  source: forecast\n",
        "outdoor.source",
        "source: forecast",
        "forecast",
        id="unknown outdoor source",
    ),
    pytest.param(
        HEAD + TRIP + "colour: blue\n",
        "colour",
        "colour: blue",
        "unknown field",
        id="unknown field",
    ),
    pytest.param(
        HEAD,
        "scope",
        "name: test",
        "give a scope",
        id="nothing names the building",
    ),
]


@pytest.mark.parametrize(("text", "field", "snippet", "reason"), BAD)
def test_a_bad_scenario_is_refused_naming_the_field_and_the_line(
    tmp_path, text, field, snippet, reason
):
    error = refused(tmp_path, text)
    assert error.field == field
    assert reason in error.reason
    if field == "scope":
        assert error.line == 1  # nothing to point at but the scenario itself
    else:
        assert error.line == line_of(text, snippet)


def test_the_horizon_limit_comes_from_the_caller_and_names_the_horizon(tmp_path):
    text = HEAD + TRIP
    assert load_scenario(write(tmp_path, text), max_horizon_s=4 * 3600).horizon == "4h"
    error = refused(tmp_path, text, max_horizon_s=3 * 3600)
    assert (error.field, error.line) == ("horizon", line_of(text, "horizon: 4h"))
    assert "3h" in error.reason


def test_too_many_steps_are_refused_naming_the_step(tmp_path):
    text = HEAD + "step: 1m\n" + TRIP
    error = refused(tmp_path, text, max_steps=100)
    assert (error.field, error.line) == ("step", line_of(text, "step: 1m"))
    assert "240 steps" in error.reason


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    error = refused(tmp_path, "- just\n- a list\n")
    assert error.field is None and "graphtwin-scenario: 1" in error.reason


def test_deltas_and_factors_combine_and_a_trip_may_overlap_an_airflow_change(tmp_path):
    scenario = load_scenario(
        write(
            tmp_path,
            HEAD + "interventions:\n"
            "  - {type: trip, target: ahu-1, until: 2h}\n"
            "  - {type: airflow, target: ahu-1, factor: 1.2, at: 1h}\n"
            "  - {type: setpoint, target: z1, setpoint: cooling, delta: 1}\n"
            "  - {type: setpoint, target: z1, setpoint: cooling, delta: 1}\n"
            "  - {type: setpoint, target: z1, setpoint: cooling, value: 25, at: 3h}\n"
            "  - {type: setpoint, target: z1, setpoint: heating, value: 20, until: 3h}\n",
        )
    )
    assert len(scenario.variants()[0].interventions) == 6


def test_an_absolute_setpoint_may_follow_another_once_it_ended(tmp_path):
    scenario = load_scenario(
        write(
            tmp_path,
            HEAD + "interventions:\n"
            "  - {type: setpoint, target: z1, setpoint: cooling, value: 26, until: 2h}\n"
            "  - {type: setpoint, target: z1, setpoint: cooling, value: 24, at: 2h}\n",
        )
    )
    first, second = scenario.interventions
    assert first.window_s(scenario.horizon_s)[1] == second.window_s(scenario.horizon_s)[0]


def test_a_period_may_wrap_midnight(tmp_path):
    scenario = load_scenario(
        write(
            tmp_path,
            HEAD + TRIP + "tariff:\n  periods: [{from: '22:00', to: '06:00', price: 0.1}]\n",
        )
    )
    assert scenario.tariff.periods[0].window().wraps


def test_each_action_runs_on_the_scenarios_interventions_with_their_fields():
    scenario = scenario_from_data(
        {
            "name": "feeds",
            "horizon": "2h",
            "interventions": [{"type": "remove_feed", "from": "ahu-1", "to": "vav-1"}],
            "actions": [
                {
                    "name": "backup",
                    "interventions": [{"type": "add_feed", "from": "ahu-2", "to": "vav-1"}],
                }
            ],
        }
    )
    inaction, backup = scenario.variants()
    assert inaction.fields == ("interventions[0]",)
    assert backup.fields == ("interventions[0]", "actions[0].interventions[0]")
    assert backup.interventions[0] is inaction.interventions[0]
    assert scenario.named_ids() == [
        ("interventions[0].from", "ahu-1"),
        ("interventions[0].to", "vav-1"),
        ("actions[0].interventions[0].from", "ahu-2"),
        ("actions[0].interventions[0].to", "vav-1"),
    ]


def test_scenario_data_errors_name_the_path_into_the_input():
    data = {
        "name": "airflow",
        "horizon": "4h",
        "interventions": [{"type": "trip", "target": "ahu-1", "until": None}],
        "actions": [
            {
                "name": "raise",
                "interventions": [
                    {"type": "airflow", "target": "ahu-2", "factor": 1.3},
                    {"type": "airflow", "factor": 1.3},
                ],
            }
        ],
    }
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, where="simulate.scenario")
    error = caught.value
    assert error.field == "actions[0].interventions[1].target"
    assert str(error) == (
        "simulate.scenario: actions[0].interventions[1].target: required field is missing"
    )


def test_scenario_data_checks_across_fields_name_the_field_too():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(
            {
                "name": "x",
                "horizon": "4h",
                "interventions": [{"type": "trip", "target": "ahu-1", "at": "4h"}],
            }
        )
    assert caught.value.field == "interventions[0].at"
    assert str(caught.value).startswith("input: interventions[0].at: at 4h is not before")


def test_an_epw_file_is_found_beside_the_scenario(tmp_path):
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "denver.epw").write_text("LOCATION,Denver\n")
    text = HEAD + TRIP + "outdoor: {source: epw, file: weather/denver.epw}\n"
    scenario = load_scenario(write(tmp_path, text))
    assert isinstance(scenario.outdoor, EpwOutdoor)
    assert Path(scenario.outdoor.file) == tmp_path / "weather" / "denver.epw"

    error = refused(tmp_path, text.replace("denver.epw", "chicago.epw"))
    assert (error.field, error.line) == ("outdoor.file", line_of(text, "outdoor:"))
