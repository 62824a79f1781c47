"""What a virtual building hands on: served values, the bindings file `graphtwin sync` reads,
and recorded runs in the history store's format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphtwin.telemetry.bindings import read_bindings
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.bindings_file import (
    sampling_period,
    source_id,
    virtual_bindings,
    write_bindings,
)
from graphtwin.virtual.engine import served_value
from graphtwin.virtual.errors import OutputFolderNotEmptyError
from graphtwin.virtual.record import HistoryRecorder, check_out_folder, write_run_files
from importers.energyplus.observed import ObservedPoint

ZONE = "eplus:office/zone/Core_bottom"
POINTS = [
    ObservedPoint(f"{ZONE}/air-temperature", "Core_bottom air temperature", ZONE,
                  "Zone_Air_Temperature_Sensor", "C", "Zone Air Temperature", "Core_bottom"),
    ObservedPoint("eplus:office/ahu/AHU 1/fan-status", "AHU 1 fan status", "eplus:office/ahu/AHU 1",
                  "Fan_Status", "", "Fan Air Mass Flow Rate", "AHU 1 FAN", transform="on_off"),
    ObservedPoint("eplus:office/building/b/electricity", "electricity", "eplus:office/building/b",
                  "Electric_Power_Sensor", "W", "Electricity:Facility", "", meter=True),
    ObservedPoint("eplus:office/building/b/gas", "gas", "eplus:office/building/b",
                  "Energy_Sensor", "J", "NaturalGas:Facility", "", meter=True),
]  # fmt: skip
TEMPERATURE, FAN, POWER, GAS = POINTS


def test_served_values_turn_meter_joules_into_watts_only_for_a_power_unit_and_flows_into_status():
    assert served_value(TEMPERATURE, 23.5, 900.0) == 23.5
    assert served_value(POWER, 1_800_000.0, 900.0) == 2000.0
    assert served_value(GAS, 1_800_000.0, 900.0) == 1_800_000.0
    assert served_value(FAN, 3.2, 900.0) == 1.0
    assert served_value(FAN, 0.0, 900.0) == 0.0


def test_the_sampling_period_sees_every_timestep_at_the_speed_within_bounds():
    assert sampling_period(speed=None, timestep_s=900) == 0.1
    assert sampling_period(speed=900, timestep_s=900) == 0.5
    assert sampling_period(speed=60, timestep_s=900) == 1.0
    assert sampling_period(speed=100_000, timestep_s=600) == 0.05


def test_the_bindings_file_binds_every_point_to_its_node_and_reads_back_with_syncs_loader(
    tmp_path: Path,
):
    spec = virtual_bindings(
        POINTS,
        model="office_medium",
        endpoint="opc.tcp://127.0.0.1:4841/graphtwin/virtual/",
        namespace_index=2,
        period_s=0.25,
    )
    path = write_bindings(spec, tmp_path / "out" / "bindings.yaml", header="made by a test")

    text = path.read_text()
    assert text.startswith("# made by a test\n")
    loaded = read_bindings(path)
    (source,) = loaded.sources
    assert source.id == source_id("office_medium") == "virtual-office_medium"
    assert source.endpoint == "opc.tcp://127.0.0.1:4841/graphtwin/virtual/"
    assert {b.point.twin_id: b.node_id for b in loaded.bindings} == {
        p.twin_id: f"ns=2;s={p.twin_id}" for p in POINTS
    }
    assert loaded.rule_of(loaded.bindings[0]).period_s == 0.25
    assert loaded.history.dir == tmp_path / "out" / "var" / "history"


def test_a_model_name_with_a_colon_makes_a_valid_source_id():
    assert source_id("ref:medium_office") == "virtual-ref-medium_office"


def test_a_recorded_run_is_read_back_by_the_history_store_with_simulated_times(tmp_path: Path):
    recorder = HistoryRecorder(tmp_path / "run", source="virtual:office_small")
    start = datetime(2025, 7, 1, 23, 45, tzinfo=UTC)  # crosses a UTC day
    for step in range(4):
        moment = start + timedelta(minutes=15 * step)
        recorder(moment, {TEMPERATURE.twin_id: 20.0 + step, GAS.twin_id: 1000.0 * step})
    recorder.close()

    store = HistoryStore(tmp_path / "run")
    rows = store.query(TEMPERATURE.twin_id)
    assert list(rows["value"]) == [20.0, 21.0, 22.0, 23.0]
    assert list(rows["time"]) == [start + timedelta(minutes=15 * s) for s in range(4)]
    assert set(rows["source"]) == {"virtual:office_small"} and set(rows["quality"]) == {"good"}
    assert [d.isoformat() for d in store.days()] == ["2025-07-01", "2025-07-02"]
    assert recorder.rows == 8
    # each day compacted into one file
    assert all(len(list(store.day_folder(d).glob("*.parquet"))) == 1 for d in store.days())


def test_the_run_files_hold_the_run_the_labels_and_energyplus_s_files(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "run.epJSON").write_text("{}")
    (work / "eplusout.err").write_text("Program Version,EnergyPlus, Version 25.2.0-x\n")
    labels = [{"id": "trip-1", "start": datetime(2025, 7, 1, 17, tzinfo=UTC), "targets": ["x"]}]
    write_run_files(tmp_path / "out", {"model": "office_small", "days": 1}, labels, energyplus=work)

    assert json.loads((tmp_path / "out" / "run.json").read_text())["model"] == "office_small"
    assert json.loads((tmp_path / "out" / "labels.json").read_text()) == [
        {"id": "trip-1", "start": "2025-07-01T17:00:00+00:00", "targets": ["x"]}
    ]
    kept = sorted(p.name for p in (tmp_path / "out" / "energyplus").iterdir())
    assert kept == ["eplusout.err", "run.epJSON"]


def test_recording_into_a_folder_that_holds_something_is_refused(tmp_path: Path):
    check_out_folder(tmp_path / "new")
    check_out_folder(tmp_path)  # empty
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(OutputFolderNotEmptyError) as caught:
        check_out_folder(tmp_path)
    assert caught.value.exit_code == 2 and caught.value.file == str(tmp_path)
