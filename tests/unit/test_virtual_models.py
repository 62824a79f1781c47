"""Which model, weather and days a virtual building runs, and the model file it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from graphtwin.errors import InputError
from graphtwin.virtual.models import (
    RUN_PERIOD_NAME,
    RunWindow,
    resolve_model,
    resolve_weather,
    run_model,
    timesteps_per_hour,
    weather_time_zone,
)

EPW_HEADER = "LOCATION,Somewhere,XX,USA,TMY3,000000,40.00,-105.00,{zone},1600.0\n"


def _model() -> dict:
    """An epJSON model as EnergyPlus converts one, with the objects the run changes."""
    return {
        "Version": {"Version 1": {"version_identifier": "25.2"}},
        "SimulationControl": {
            "SimulationControl 1": {
                "do_zone_sizing_calculation": "Yes",
                "run_simulation_for_sizing_periods": "Yes",
                "run_simulation_for_weather_file_run_periods": "No",
            }
        },
        "RunPeriod": {
            "RUNPERIOD 1": {
                "begin_month": 1, "begin_day_of_month": 1, "end_month": 12, "end_day_of_month": 31,
                "day_of_week_for_start_day": "Sunday", "apply_weekend_holiday_rule": "No",
                "use_weather_file_rain_indicators": "Yes",
            },
            "RUNPERIOD 2": {"begin_month": 4, "begin_day_of_month": 1, "end_month": 4,
                            "end_day_of_month": 30},
        },
        "Timestep": {"Timestep 1": {"number_of_timesteps_per_hour": 4}},
        "Output:Variable": {"Output:Variable 1": {"variable_name": "Zone Air Temperature"}},
        "Output:Table:SummaryReports": {"Output:Table:SummaryReports 1": {}},
        "Output:SQLite": {"Output:SQLite 1": {"option_type": "SimpleAndTabular"}},
        "OutputControl:Table:Style": {"OutputControl:Table:Style 1": {}},
        "EnergyManagementSystem:OutputVariable": {"x": {"ems_variable_name": "x"}},
        "Zone": {"Core": {}},
    }  # fmt: skip


def test_the_run_model_has_one_run_period_over_the_days_in_the_given_year():
    window = RunWindow.parse("12-30", days=4, year=2025)
    model = run_model(_model(), window)

    (name, period), = model["RunPeriod"].items()  # fmt: skip
    assert name == RUN_PERIOD_NAME
    assert (period["begin_year"], period["begin_month"], period["begin_day_of_month"]) == (
        2025, 12, 30,
    )  # fmt: skip
    assert (period["end_year"], period["end_month"], period["end_day_of_month"]) == (2026, 1, 2)
    # how the model treats holidays and rain is kept; the weekday follows the year instead
    assert period["use_weather_file_rain_indicators"] == "Yes"
    assert period["apply_weekend_holiday_rule"] == "No"
    assert "day_of_week_for_start_day" not in period


def test_the_run_model_runs_the_weather_period_only_and_keeps_the_sizing_calculations():
    control = run_model(_model(), RunWindow.parse("07-01", days=1, year=2025))["SimulationControl"][
        "SimulationControl 1"
    ]
    assert control["run_simulation_for_sizing_periods"] == "No"
    assert control["run_simulation_for_weather_file_run_periods"] == "Yes"
    assert control["do_zone_sizing_calculation"] == "Yes"


def test_the_run_model_drops_reports_and_asks_for_no_output_files_and_leaves_the_input_alone():
    original = _model()
    model = run_model(original, RunWindow.parse("07-01", days=1, year=2025))

    assert not [kind for kind in model if kind.startswith("Output:")]
    assert "OutputControl:Table:Style" not in model
    files = model["OutputControl:Files"]["OutputControl:Files 1"]
    assert files["output_sqlite"] == files["output_tabular"] == files["output_eso"] == "No"
    assert "EnergyManagementSystem:OutputVariable" in model  # not a report: EMS needs it
    assert model["Zone"] == original["Zone"]
    assert "Output:Variable" in original and len(original["RunPeriod"]) == 2  # a copy changed


def test_a_model_without_simulation_control_gets_one():
    bare = {k: v for k, v in _model().items() if k != "SimulationControl"}
    controls = run_model(bare, RunWindow.parse("07-01", days=1, year=2025))["SimulationControl"]
    (control,) = controls.values()
    assert control["run_simulation_for_weather_file_run_periods"] == "Yes"


@pytest.mark.parametrize(
    ("start", "days", "year", "wrong"),
    [
        ("02-29", 1, 2025, "--start"),
        ("13-01", 1, 2025, "--start"),
        ("July 1", 1, 2025, "--start"),
        ("07-01", 0, 2025, "--days"),
    ],
)
def test_an_impossible_day_or_count_is_an_input_error_naming_the_option(start, days, year, wrong):
    with pytest.raises(InputError) as caught:
        RunWindow.parse(start, days=days, year=year)
    assert caught.value.entity == wrong
    assert caught.value.exit_code == 2


def test_the_window_in_a_leap_year_and_its_bounds_in_utc():
    window = RunWindow.parse("02-29", days=2, year=2024)
    assert window.last_day == date(2024, 3, 1)
    start, end = window.bounds(-7.0)
    assert start == datetime(2024, 2, 29, 7, tzinfo=UTC)
    assert end == datetime(2024, 3, 2, 7, tzinfo=UTC)


def test_timesteps_per_hour_is_the_models_or_energyplus_default():
    assert timesteps_per_hour(_model()) == 4
    assert timesteps_per_hour({}) == 6


def test_the_time_zone_comes_from_the_weather_files_location_line(tmp_path: Path):
    epw = tmp_path / "site.epw"
    epw.write_text(EPW_HEADER.format(zone="-6.0") + "DESIGN CONDITIONS,0\n")
    assert weather_time_zone(epw) == -6.0


@pytest.mark.parametrize("first_line", ["NOT A LOCATION,1,2\n", EPW_HEADER.format(zone="east")])
def test_a_weather_file_without_a_time_zone_is_an_input_error_at_line_1(tmp_path, first_line):
    epw = tmp_path / "broken.epw"
    epw.write_text(first_line)
    with pytest.raises(InputError) as caught:
        weather_time_zone(epw)
    assert (caught.value.file, caught.value.line) == (str(epw), 1)


# --- names, which need the bundled models of the energyplus extra ---------------------------------


def test_bundled_models_and_weather_resolve_by_name():
    pytest.importorskip("pyenergyplus")
    medium = resolve_model("office_medium")
    assert medium.name == "office_medium"
    assert medium.path.name == "ASHRAE901_OfficeMedium_STD2019_Denver.idf" and medium.path.is_file()
    ref = resolve_model("ref:medium_office")
    assert ref.name == "ref:medium_office" and ref.path.name.startswith("RefBldgMediumOffice")
    assert resolve_weather("denver").name == "usa_co_denver"
    assert resolve_weather("usa_fl_tampa").path.suffix == ".epw"


def test_a_model_or_weather_file_is_taken_by_its_path(tmp_path: Path):
    model = tmp_path / "My Office.epJSON"
    model.write_text("{}")
    weather = tmp_path / "site.epw"
    weather.write_text(EPW_HEADER.format(zone="1.0"))
    assert resolve_model(str(model)).name == "My Office"
    assert resolve_weather(str(weather)).path == weather


def test_unknown_names_are_input_errors_listing_the_valid_ones():
    pytest.importorskip("pyenergyplus")
    with pytest.raises(InputError) as model:
        resolve_model("office_huge")
    assert model.value.entity == "--model"
    assert "office_medium" in model.value.message and "ref:medium_office" in model.value.message
    with pytest.raises(InputError) as weather:
        resolve_weather("atlantis")
    assert weather.value.entity == "--weather"
    assert "denver" in weather.value.message and "usa_il_chicago" in weather.value.message


def test_a_missing_or_misnamed_file_is_an_input_error_naming_it(tmp_path: Path):
    with pytest.raises(InputError) as missing:
        resolve_model(str(tmp_path / "absent.idf"))
    assert missing.value.file == str(tmp_path / "absent.idf")
    not_weather = tmp_path / "weather.csv"
    not_weather.write_text("x")
    with pytest.raises(InputError) as wrong:
        resolve_weather(str(not_weather))
    assert "epw" in wrong.value.message
