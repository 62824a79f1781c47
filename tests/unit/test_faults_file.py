"""The faults file: its format, its JSON Schema, and `load_faults` resolving entries against a
model and a run (targets, times, actuators), with every mistake naming file, line and entry.
Runs without EnergyPlus: the model is the small one of test_faults_model.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from graphtwin.errors import InputError
from graphtwin.virtual.faults import FaultsFileError, faults_json_schema, load_faults
from graphtwin.virtual.faults.spec import format_duration, parse_duration
from graphtwin.virtual.hooks import ActuatorRef
from graphtwin.yamlio import load_yaml
from tests.unit.test_faults_model import PREFIX, tiny_actuators, tiny_model, tiny_points

ROOT = Path(__file__).resolve().parents[2]
DENVER = timezone(timedelta(hours=-7))
RUN_START = datetime(2025, 7, 1, tzinfo=DENVER)
RUN_END = datetime(2025, 7, 4, tzinfo=DENVER)


def load(tmp_path: Path, text: str, **options):
    path = tmp_path / "faults.yaml"
    path.write_text(text)
    arguments = dict(
        points=tiny_points(),
        epjson=tiny_model(),
        start=RUN_START,
        end=RUN_END,
        available=tiny_actuators(),
    )
    return load_faults(path, **{**arguments, **options})


def entry(text: str) -> str:
    return f"graphtwin-faults: 1\nfaults:\n{text}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("1.5h", timedelta(minutes=90)),
        ("PT4H", timedelta(hours=4)),
        ("P1DT2H", timedelta(hours=26)),
    ],
)
def test_durations_read_in_short_and_iso_8601_forms(text, expected):
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["4 hours", "h4", "PT", "P1X", "", "4"])
def test_a_duration_that_is_no_duration_is_refused(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_the_published_json_schema_is_current():
    published = json.loads((ROOT / "docs" / "faults.schema.json").read_text())
    assert published == faults_json_schema(), (
        "docs/faults.schema.json is stale: run "
        "`.venv/bin/graphtwin schema faults > docs/faults.schema.json`"
    )


def test_every_example_faults_file_validates_against_the_json_schema():
    examples = sorted((ROOT / "examples" / "faults").glob("*.yaml"))
    assert len(examples) >= 4  # one per family: equipment, actions, sensors, labels
    types = set()
    for path in examples:
        data = load_yaml(path)[0]
        jsonschema.validate(data, faults_json_schema())
        types |= {fault["type"] for fault in data["faults"]}
    assert types == {
        "trip", "coil_failure", "setpoint_change", "schedule_change", "degradation",
        "stuck", "offset", "drift", "noise", "swap", "mislabel",
    }  # fmt: skip


def test_a_local_start_is_the_models_standard_time_in_the_runs_year(tmp_path):
    plan = load(
        tmp_path, entry("  - {type: trip, target: AHU-1, start: '07-02 10:00', duration: 4h}")
    )
    (label,) = plan.labels()
    assert label["start"] == "2025-07-02T17:00:00Z"
    assert label["end"] == "2025-07-02T21:00:00Z"
    # The engine's clock runs in the weather file's zone, which the caller may pass instead.
    plan = load(
        tmp_path,
        entry("  - {type: trip, target: AHU-1, start: '07-02 10:00', duration: 4h}"),
        time_zone_h=-5.0,
    )
    assert plan.labels()[0]["start"] == "2025-07-02T15:00:00Z"


def test_an_iso_start_keeps_its_own_offset(tmp_path):
    text = "  - {type: trip, target: AHU-1, start: '2025-07-02T12:00:00+00:00', duration: PT30M}"
    assert load(tmp_path, entry(text)).labels()[0]["start"] == "2025-07-02T12:00:00Z"


def test_an_ahu_trip_stops_every_supply_fan_and_names_what_it_serves(tmp_path):
    plan = load(
        tmp_path, entry("  - {type: trip, target: ahu-1, start: '07-02 10:00', duration: 4h}")
    )
    (label,) = plan.labels()
    assert label["id"] == "trip-1"
    assert label["targets"] == [f"{PREFIX}/ahu/AHU-1"]
    assert label["actuators"] == [
        {"component_type": "Fan", "control_type": "Fan Air Mass Flow Rate", "key": "AHU-1 Fan",
         "value": 0.0}
    ]  # fmt: skip
    for twin_id in (
        "ahu/AHU-1", "fan/AHU-1_Fan", "coil/AHU-1_DX", "terminal/Z1_VAV", "terminal/Z2_VAV",
        "zone/Z1", "zone/Z2", "zone/Z1/air-temperature", "zone/Z2/air-temperature",
        "ahu/AHU-1/supply-air-temperature", "fan/AHU-1_Fan/power",
    ):  # fmt: skip
        assert f"{PREFIX}/{twin_id}" in label["affected"]
    assert f"{PREFIX}/zone/Plenum" not in label["affected"]
    assert f"{PREFIX}/building/tiny/outdoor-air-temperature" not in label["affected"]


NODE_SETPOINT = ("System Node Setpoint", "Temperature Setpoint")


def test_each_equipment_fault_sets_the_actuators_it_acts_through(tmp_path):
    plan = load(
        tmp_path,
        entry(
            "  - {type: coil_failure, target: AHU-1 DX, start: '07-02 10:00', duration: 1h}\n"
            "  - {type: coil_failure, target: AHU-1 Heat, start: '07-02 10:00', duration: 1h}\n"
            "  - {type: setpoint_change, target: Z1, start: '07-02 10:00', duration: 1h,\n"
            "     heating: 15, cooling: 29}\n"
            "  - {type: schedule_change, target: OCC, start: '07-02 10:00', duration: 1h,"
            " value: 0}\n"
            "  - {type: degradation, target: AHU-1 Fan, start: '07-02 10:00', duration: 1h,"
            " fraction: 0.5}\n"
        ),
    )
    settings = {
        label["id"]: [(a["component_type"], a["control_type"], a["key"], a["value"])
                      for a in label["actuators"]]
        for label in plan.labels()
    }  # fmt: skip
    assert settings == {
        "coil_failure-1": [(*NODE_SETPOINT, "AHU-1 DX Outlet", 60.0)],
        "coil_failure-2": [(*NODE_SETPOINT, "AHU-1 Heat Out", -60.0)],
        "setpoint_change-1": [
            ("Zone Temperature Control", "Heating Setpoint", "Z1", 15.0),
            ("Zone Temperature Control", "Cooling Setpoint", "Z1", 29.0),
        ],
        "schedule_change-1": [("Schedule:Compact", "Schedule Value", "OCC", 0.0)],
        "degradation-1": [("Fan", "Fan Total Efficiency", "AHU-1 Fan", pytest.approx(0.3))],
    }  # fmt: skip
    labels = {label["id"]: label for label in plan.labels()}
    assert labels["degradation-1"]["parameters"]["design_efficiency"] == 0.6
    assert f"{PREFIX}/zone/Z2" in labels["schedule_change-1"]["affected"]
    assert len(plan.actuators()) == 6  # each once


FAULT = "  - {type: trip, target: AHU-1, start: '07-02 10:00', duration: 4h}\n"


@pytest.mark.parametrize(
    ("text", "line", "entity", "reason"),
    [
        (FAULT + "  - {type: trip, target: AHU-9, start: '07-02 10:00', duration: 4h}",
         4, "fault trip-2", "unknown target 'AHU-9'"),
        (FAULT + "  - id: warm\n    type: trip\n    target: Z1\n    start: '07-02 10:00'\n"
         "    duration: 4h", 6, "fault warm", "target 'Z1' is a zone"),
        (FAULT + "  - {type: stuck, target: AHU-1, start: '07-02 10:00', duration: 4h}",
         4, "fault stuck-1", "a stuck acts on an observed point"),
        (FAULT + "  - id: late\n    type: trip\n    target: AHU-1\n    start: '08-01 10:00'\n"
         "    duration: 4h", 7, "fault late", "outside the run"),
        (FAULT + "  - id: long\n    type: trip\n    target: AHU-1\n    start: '07-03 20:00'\n"
         "    duration: 1d", 8, "fault long", "after the run"),
        (FAULT + "  - id: zero\n    type: trip\n    target: AHU-1\n    start: '07-02 10:00'\n"
         "    duration: 0h", 4, "fault zero", "not positive"),
        (FAULT + "  - id: odd\n    type: explode\n    target: AHU-1\n    start: '07-02 10:00'\n"
         "    duration: 1h", 4, "fault odd", "does not match any of the expected tags"),
        (FAULT + "  - id: x\n    type: trip\n    target: AHU-1\n    start: '07-02 10:00'\n"
         "    duration: 1h\n    speed: 3", 9, "fault x", "unknown field"),
        (FAULT + "  - {type: trip, target: AHU-1, start: 'tomorrow', duration: 1h}",
         4, "fault #2 (trip)", "is not a start"),
        (FAULT + "  - {id: trip-1, type: trip, target: AHU-1, start: '07-02 10:00', duration: 1h}",
         4, "fault trip-1", "used twice"),
        (FAULT + "  - {type: setpoint_change, target: Z2, start: '07-02 10:00', duration: 1h,"
         " cooling: 28}", 4, "fault setpoint_change-1", "has no thermostat"),
        (FAULT + "  - {type: coil_failure, target: Z1 Reheat, start: '07-02 10:00',"
         " duration: 1h}", 4, "fault coil_failure-1", "load-controlled"),
        (FAULT + "  - {type: mislabel, target: zone/Z1/air-temperature,"
         " brick_class: Warm_Sensor}", 4, "fault mislabel-1", "not a Brick class"),
        (FAULT + "  - {type: swap, targets: [zone/Z1/air-temperature], start: '07-02 10:00',"
         " duration: 1h}", 4, "fault #2 (swap)", "two different points"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_an_error_naming_the_file_line_and_entry(
    tmp_path, text, line, entity, reason
):
    with pytest.raises(FaultsFileError) as caught:
        load(tmp_path, entry(text))
    error = caught.value
    assert isinstance(error, InputError)
    assert error.exit_code == 2
    assert error.file == str(tmp_path / "faults.yaml")
    assert error.line == line
    assert error.entity == entity
    assert reason in error.reason
    assert str(error).startswith(f"{tmp_path / 'faults.yaml'}:{line}: {entity}: ")


def test_an_actuator_the_model_lacks_is_an_error_naming_the_entry(tmp_path):
    offered = tiny_actuators() - {ActuatorRef("Fan", "Fan Total Efficiency", "AHU-1 FAN")}
    text = FAULT + (
        "  - {type: degradation, target: AHU-1 Fan, start: '07-02 10:00', duration: 1h,"
        " fraction: 0.5}"
    )
    with pytest.raises(FaultsFileError, match="no EnergyPlus actuator Fan / Fan Total Eff") as e:
        load(tmp_path, entry(text), available=offered)
    assert (e.value.line, e.value.entity) == (4, "fault degradation-1")


def test_a_file_that_is_not_a_faults_file_is_refused(tmp_path):
    with pytest.raises(FaultsFileError, match="graphtwin-faults: 1") as caught:
        load(tmp_path, "graphtwin-bindings: 1\nsources: []\n")
    assert caught.value.line == 1


def test_an_empty_faults_list_is_a_plan_without_faults(tmp_path):
    plan = load(tmp_path, "graphtwin-faults: 1\nfaults: []\n")
    assert plan.labels() == []
    assert plan.actuators() == []
    assert plan.served(RUN_START.astimezone(UTC), {"a": 1.0}) == {"a": 1.0}
