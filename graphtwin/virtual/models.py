"""Which model and weather a virtual building runs, over which days, and the file it runs.

`--model` is a bundled ASHRAE 90.1-2019 prototype (`office_medium`, `office_small`, ...), a DOE
reference building as `ref:<name>` (`ref:medium_office`), or the path of an `.idf` or `.epJSON`
file. `--weather` is `denver`, `chicago` or `miami`, any bundled TMY3 name (`usa_fl_tampa`), or
the path of an `.epw` file. An unknown name is an `InputError` listing the valid ones.

The run's model is the model as EnergyPlus converted it, changed in three ways: one RunPeriod
over the chosen days (with `begin_year`, so weekdays follow that year's calendar), weather-file
run periods on and sizing-period runs off (sizing calculations stay as the model has them), and
no output objects (the runtime API asks for what it serves; reports only slow the run down).

>>> window = RunWindow.parse("07-01", days=2, year=2025)
>>> (window.first_day.isoformat(), window.last_day.isoformat())
('2025-07-01', '2025-07-02')
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from graphtwin.errors import InputError, SourceLocation
from importers.energyplus.runtime import datasets

WEATHER_SHORT_NAMES = {
    "denver": "usa_co_denver",
    "chicago": "usa_il_chicago",
    "miami": "usa_fl_miami",
}
REF_PREFIX = "ref:"
MODEL_SUFFIXES = (".idf", ".epjson")
RUN_PERIOD_NAME = "graphtwin virtual building"

# RunPeriod fields kept from the model's own first run period (how it treats holidays, daylight
# saving and rain); its dates, year and start weekday are replaced.
_KEPT_RUN_PERIOD_FIELDS = (
    "apply_weekend_holiday_rule",
    "use_weather_file_daylight_saving_period",
    "use_weather_file_holidays_and_special_days",
    "use_weather_file_rain_indicators",
    "use_weather_file_snow_indicators",
    "treat_weather_as_actual",
    "first_hour_interpolation_starting_values",
)
# Every file EnergyPlus can be told not to write: the virtual building reads its values
# through the runtime API, and eplusout.err (always written) holds what goes wrong.
_OUTPUT_FILES = (
    "output_csv", "output_mtr", "output_eso", "output_eio", "output_tabular", "output_sqlite",
    "output_json", "output_audit", "output_space_sizing", "output_zone_sizing",
    "output_system_sizing", "output_dxf", "output_bnd", "output_rdd", "output_mdd",
    "output_mtd", "output_end", "output_shd", "output_dfs", "output_glhe", "output_delightin",
    "output_delighteldmp", "output_delightdfdmp", "output_edd", "output_dbg", "output_perflog",
    "output_sln", "output_sci", "output_wrl", "output_screen", "output_extshd", "output_tarcog",
    "output_plant_component_sizing",
)  # fmt: skip
_REPORT_OBJECTS = ("OutputControl:Table:Style", "OutputControl:Timestamp")


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """A model to run: its name (`office_medium`, `ref:medium_office`, or the file's stem) and
    its file."""

    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class WeatherChoice:
    """A weather file to run with: its name (`usa_co_denver`, or the file's stem) and path."""

    name: str
    path: Path


def resolve_model(value: str) -> ModelChoice:
    """The model `--model` names: a bundled name, `ref:<name>`, or a path.

    >>> resolve_model("office_medium").path.name  # doctest: +SKIP
    'ASHRAE901_OfficeMedium_STD2019_Denver.idf'
    """
    if _looks_like_path(value, MODEL_SUFFIXES):
        path = _existing_file(value, "--model")
        if path.suffix.lower() not in MODEL_SUFFIXES:
            raise InputError(
                "a model file is an EnergyPlus .idf or .epJSON file",
                location=SourceLocation(str(path)),
            )
        return ModelChoice(path.stem, path)
    ashrae, ref, _ = datasets()
    if value.startswith(REF_PREFIX) and value[len(REF_PREFIX) :] in ref:
        return ModelChoice(value, Path(ref[value[len(REF_PREFIX) :]]))
    if value in ashrae:
        return ModelChoice(value, Path(ashrae[value]))
    valid = [*sorted(ashrae), *(f"{REF_PREFIX}{name}" for name in sorted(ref))]
    raise InputError(
        f"unknown model {value!r}; give a path to an .idf or .epJSON file or one of: "
        + ", ".join(valid),
        entity="--model",
    )


def resolve_weather(value: str) -> WeatherChoice:
    """The weather `--weather` names: a short name, a bundled TMY3 name, or a path.

    >>> resolve_weather("denver").name  # doctest: +SKIP
    'usa_co_denver'
    """
    if _looks_like_path(value, (".epw",)):
        path = _existing_file(value, "--weather")
        if path.suffix.lower() != ".epw":
            raise InputError(
                "a weather file is an EnergyPlus .epw file", location=SourceLocation(str(path))
            )
        return WeatherChoice(path.stem, path)
    _, _, weather = datasets()
    name = WEATHER_SHORT_NAMES.get(value, value)
    if name in weather:
        return WeatherChoice(name, Path(weather[name]))
    valid = [*WEATHER_SHORT_NAMES, *sorted(weather)]
    raise InputError(
        f"unknown weather {value!r}; give a path to an .epw file or one of: " + ", ".join(valid),
        entity="--weather",
    )


def _looks_like_path(value: str, suffixes: tuple[str, ...]) -> bool:
    return "/" in value or value.lower().endswith(suffixes) or Path(value).is_file()


def _existing_file(value: str, option: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise InputError("no such file", location=SourceLocation(str(path)), entity=option)
    return path


# --- the days a run covers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunWindow:
    """The simulated days: from `first_day` for `days` days, in local standard time."""

    first_day: date
    days: int

    @classmethod
    def parse(cls, start: str, *, days: int, year: int) -> RunWindow:
        """`start` as `MM-DD` in `year`; an impossible date or a non-positive count is an
        InputError."""
        try:
            month, day = (int(part) for part in start.split("-"))
            first = date(year, month, day)
        except ValueError as exc:
            raise InputError(
                f"--start {start!r} is not a day of {year} written MM-DD ({exc})", entity="--start"
            ) from exc
        if days < 1:
            raise InputError(f"--days must be at least 1, got {days}", entity="--days")
        return cls(first, days)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def bounds(self, time_zone_h: float) -> tuple[datetime, datetime]:
        """The run's first and last moment as aware UTC datetimes, for a site `time_zone_h`
        hours from UTC (standard time)."""
        zone = timezone(timedelta(hours=time_zone_h))
        start = datetime.combine(self.first_day, datetime.min.time(), zone)
        return start.astimezone(UTC), (start + timedelta(days=self.days)).astimezone(UTC)


# --- the run's model ----------------------------------------------------------------------------


def run_model(epjson: dict[str, Any], window: RunWindow) -> dict[str, Any]:
    """A copy of `epjson` that runs `window` and nothing else (see the module doc)."""
    model = copy.deepcopy(epjson)
    kept = _first(model.get("RunPeriod"))
    period: dict[str, Any] = {k: kept[k] for k in _KEPT_RUN_PERIOD_FIELDS if k in kept}
    period.update(
        begin_month=window.first_day.month,
        begin_day_of_month=window.first_day.day,
        begin_year=window.first_day.year,
        end_month=window.last_day.month,
        end_day_of_month=window.last_day.day,
        end_year=window.last_day.year,
    )
    model["RunPeriod"] = {RUN_PERIOD_NAME: period}
    controls = model.get("SimulationControl") or {"SimulationControl 1": {}}
    for control in controls.values():
        control["run_simulation_for_sizing_periods"] = "No"
        control["run_simulation_for_weather_file_run_periods"] = "Yes"
    model["SimulationControl"] = controls
    for kind in [k for k in model if k.startswith("Output:") or k in _REPORT_OBJECTS]:
        del model[kind]
    model["OutputControl:Files"] = {"OutputControl:Files 1": dict.fromkeys(_OUTPUT_FILES, "No")}
    return model


def write_run_model(epjson: dict[str, Any], window: RunWindow, folder: Path) -> Path:
    """Write the run's model (`run_model`) into `folder` as `run.epJSON`; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.epJSON"
    path.write_text(json.dumps(run_model(epjson, window)), encoding="utf-8")
    return path


def timesteps_per_hour(epjson: dict[str, Any]) -> int:
    """Zone timesteps per hour (EnergyPlus's default is 6 when the model has no Timestep)."""
    return int(_first(epjson.get("Timestep")).get("number_of_timesteps_per_hour", 6))


def weather_time_zone(epw: Path) -> float:
    """The site's standard time zone in hours from UTC, from the LOCATION line of an EPW file.

    EnergyPlus takes the weather file's location, not the model's Site:Location, for
    weather-file run periods, so this is the zone its clock runs in.
    """
    with epw.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    fields = [f.strip() for f in first.split(",")]
    try:
        if fields[0].upper() != "LOCATION":
            raise ValueError("the first line is not LOCATION,...")
        zone = float(fields[8])
    except (IndexError, ValueError) as exc:
        raise InputError(
            f"not an EPW weather file: its LOCATION line has no time zone ({exc})",
            location=SourceLocation(str(epw), 1),
        ) from exc
    if not -12 <= zone <= 14:
        raise InputError(
            f"time zone {zone} is not between -12 and +14 hours",
            location=SourceLocation(str(epw), 1),
        )
    return zone


def _first(objects: dict[str, Any] | None) -> dict[str, Any]:
    """The first object of a kind (epJSON keeps them by name), or an empty one."""
    if not objects:
        return {}
    return dict(next(iter(objects.values())))
