"""The global early-warning model's inputs (benchmarks/forecast_global.py): what a row knows at
its origin, the label a classifier learns, and each zone's supply fan."""

import json
from pathlib import Path

import numpy as np

from benchmarks.forecast_global import (
    FEATURES,
    WEEK,
    RunFrame,
    _fans,
    lead_features,
    origin_features,
)
from benchmarks.forecast_warnings import HORIZON_STEPS, RunWarnings

SIZE, LO = WEEK + 200, WEEK + 100


def _frame() -> RunFrame:
    """One zone at 22 degC that drops to 19 degC at step LO + 50, the rule holding from LO + 40."""
    values = np.full((1, SIZE), 22.0)
    values[0, LO + 50 :] = 19.0
    active = np.zeros(SIZE, dtype=bool)
    active[LO + 40 :] = True
    heating = np.full((1, SIZE), 15.0)
    heating[0, LO + 60 - WEEK] = 21.0  # the schedule a week before
    origins = SIZE - LO
    warnings = RunWarnings("r", np.zeros((1, origins)), np.zeros((1, origins), dtype=bool))
    return RunFrame(
        "r", "office", "denver", warnings, values, heating, np.full((1, SIZE), 27.0),
        np.ones((1, SIZE)), np.arange(SIZE, dtype=float), np.zeros(SIZE), np.zeros(SIZE),
        active, LO,
    )  # fmt: skip


def test_a_row_knows_the_value_at_its_origin_and_the_schedule_a_week_before():
    x, y = lead_features(_frame(), combined=False)
    rows = x.reshape(1, SIZE - LO, HORIZON_STEPS, len(FEATURES))
    change = y.reshape(1, SIZE - LO, HORIZON_STEPS)
    col = {name: i for i, name in enumerate(FEATURES)}

    # origin LO + 49, lead 1: the drop is the target, the origin's value is still 22
    assert rows[0, 49, 0, col["value"]] == 22.0
    assert change[0, 49, 0] == -3.0
    # the heating setpoint at the target LO + 60 is read a week before it
    assert rows[0, 52, 7, col["heating_at"]] == 21.0
    assert rows[0, 52, 6, col["heating_at"]] == 15.0
    # the weather file is known ahead: the outdoor temperature at the target
    assert rows[0, 10, 3, col["outdoor_at"]] == LO + 14
    # past the end of the run the change is unknown
    assert np.isnan(change[0, -1, 0])


def test_a_classifier_row_is_labelled_when_a_crossing_follows_within_the_horizon():
    _, label = origin_features(_frame(), combined=False)

    expected = np.zeros(SIZE - LO, dtype=bool)
    expected[50 - HORIZON_STEPS : 50] = True  # the crossing at LO + 50, 1 to 8 steps ahead
    assert np.array_equal(label, expected)


def test_each_zone_gets_the_fan_of_the_air_loop_that_supplies_it(tmp_path: Path):
    (tmp_path / "energyplus").mkdir()
    splitters = {
        "PSZ-AC:1 Supply Air Splitter": {
            "nodes": [{"outlet_node_name": "Core_ZN Direct Air Inlet Node Name ATInlet"}]
        },
        "PSZ-AC:2 Supply Air Splitter": {
            "nodes": [{"outlet_node_name": "Perimeter_ZN_1 Direct Air Inlet Node Name ATInlet"}]
        },
    }
    (tmp_path / "energyplus" / "run.epJSON").write_text(
        json.dumps({"AirLoopHVAC:ZoneSplitter": splitters})
    )
    zones = ["b/zone/Core_ZN/air-temperature", "b/zone/Perimeter_ZN_1/air-temperature"]

    assert _fans(tmp_path, zones, "b") == {
        zones[0]: "b/fan/PSZ-AC:1_Fan/status",
        zones[1]: "b/fan/PSZ-AC:2_Fan/status",
    }
