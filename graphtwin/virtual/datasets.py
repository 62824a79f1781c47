"""Evaluation data sets: which virtual-building runs make one, and how their faults are counted.

A data set is a `DatasetSpec`: buildings x climates x seasons, each recorded twice over the same
window, once clean and once with generated faults (`generate_faults`, seeded). Every window is
`history_days` (14) of history followed by `evaluation_days` (28) to evaluate on; faults start
only after the history, so every event has two weeks before it to calibrate on. Over the whole
set each fault type occurs at least `min_faults_per_type` (10) times: a type's share is spread
evenly over the faulted runs whose building has something it can act on, and each building's
runs carry the largest share among its types, of every type (the ASHRAE small office has no coil
a `coil_failure` can act on, so the medium office's runs carry two of each type, the small
office's one).

This module only plans: it runs nothing and needs no EnergyPlus. `dataset_build` records the
runs. The standard set (`standard_spec`):

>>> spec = standard_spec()
>>> runs = plan_runs(spec)
>>> len(runs), runs[0].name, runs[0].days
(24, 'office_medium-denver-summer-clean', 42)
>>> small = [kind for kind in FAULT_TYPES if kind != "coil_failure"]
>>> per_run = faults_per_run(spec, {"office_medium": FAULT_TYPES, "office_small": small})
>>> per_run["office_medium"].count, per_run["office_small"].count
(2, 1)
>>> totals = planned_fault_totals(spec, per_run)
>>> totals["coil_failure"], totals["trip"]
(12, 18)

A spec's identity (`spec_identity`) adds the data-set format version and the EnergyPlus package
version; its hash (`spec_hash`) marks every recorded run, so a changed spec records again.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.metadata
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graphtwin.errors import InputError
from graphtwin.virtual.faults.spec import FAULT_TYPES
from graphtwin.virtual.models import RunWindow
from graphtwin.yaml_spec import read_spec
from importers.energyplus.runtime import EnergyPlusMissingError

if TYPE_CHECKING:
    from graphtwin.virtual.runs import RunRequest

DATASET_VERSION = 1
"""The data-set format; raise it when a recorded run would differ for the same spec (what a run
folder holds, how faults are generated), so caches record again."""
ENERGYPLUS_PACKAGE = "pyenergyplus-lbnl"
VARIANTS = ("clean", "faults")
_NAME = r"^[A-Za-z0-9_.-]+$"
_MODEL_NAME = r"^[A-Za-z0-9_.:-]+$"


def default_datasets_dir() -> Path:
    """Where data sets are cached: the user's cache folder (`$XDG_CACHE_HOME/graphtwin/datasets`,
    by default `~/.cache/graphtwin/datasets`), never the repository."""
    return platformdirs.user_cache_path("graphtwin", appauthor=False) / "datasets"


class Season(BaseModel):
    """One window of the year: a name (`summer`) and its first day (`MM-DD`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME, description="Part of every run's name: summer, winter.")
    start: str = Field(
        pattern=r"^\d{2}-\d{2}$", description="First simulated day, MM-DD, of the spec's year."
    )

    @field_validator("start")
    @classmethod
    def _a_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is checked against the spec's year later
        return value


class DatasetSpec(BaseModel):
    """What a data set holds (see the module doc). Also the format of `--spec FILE` (YAML, with
    `graphtwin-datasets: 1`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    graphtwin_datasets: Literal[1] = Field(default=1, alias="graphtwin-datasets")
    buildings: tuple[str, ...] = Field(
        min_length=1,
        description="Bundled models (office_medium, office_small, ref:<name>); paths are not "
        "taken, so that a data set is reproducible from the spec alone.",
    )
    climates: tuple[str, ...] = Field(
        min_length=1, description="Weather: denver, chicago, miami or a bundled TMY3 name."
    )
    seasons: tuple[Season, ...] = Field(min_length=1)
    year: int = Field(default=2025, ge=1, le=9999, description="Weekdays follow this year.")
    history_days: int = Field(
        default=14, ge=0, description="Days at the start of each window without faults."
    )
    evaluation_days: int = Field(
        default=28, ge=1, description="Days after the history in which faults happen."
    )
    fault_types: tuple[str, ...] | None = Field(
        default=None, description="Fault types to generate (default: every type)."
    )
    min_faults_per_type: int = Field(
        default=10, ge=1, description="Each fault type occurs at least this often in the set."
    )
    seed: int = Field(default=17, description="Seeds every run's faults.")

    @field_validator("buildings", "climates")
    @classmethod
    def _names(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not re.match(_MODEL_NAME, value):
                raise ValueError(f"{value!r} is not a bundled name (paths are not taken)")
        if len(set(values)) != len(values):
            raise ValueError("a name is given twice")
        return values

    @field_validator("fault_types")
    @classmethod
    def _known_types(cls, values: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if values is None:
            return None
        unknown = [v for v in values if v not in FAULT_TYPES]
        if unknown or not values:
            raise ValueError(
                f"unknown fault types {unknown}; known: {', '.join(FAULT_TYPES)}"
                if unknown
                else "give at least one fault type, or leave fault_types out for all"
            )
        return values

    @model_validator(mode="after")
    def _windows(self) -> DatasetSpec:
        names = [s.name for s in self.seasons]
        if len(set(names)) != len(names):
            raise ValueError("two seasons have the same name")
        for season in self.seasons:
            try:
                RunWindow.parse(season.start, days=self.days, year=self.year)
            except InputError as exc:
                raise ValueError(f"season {season.name}: {exc.reason}") from exc
        return self

    @property
    def days(self) -> int:
        """Simulated days of every run: the history, then the days to evaluate on."""
        return self.history_days + self.evaluation_days

    @property
    def wanted_fault_types(self) -> tuple[str, ...]:
        return self.fault_types if self.fault_types is not None else FAULT_TYPES


def standard_spec() -> DatasetSpec:
    """The evaluation data set of issue 17: the medium and the small office, in Denver, Chicago
    and Miami, six weeks in summer and six in winter, each clean and with faults."""
    return DatasetSpec(
        buildings=("office_medium", "office_small"),
        climates=("denver", "chicago", "miami"),
        seasons=(Season(name="summer", start="06-23"), Season(name="winter", start="01-06")),
    )


def read_dataset_spec(path: Path) -> DatasetSpec:
    """A spec from a YAML file (`graphtwin-datasets: 1`, then `DatasetSpec`'s fields); a mistake
    is a SchemaViolationError naming the file and the line."""
    spec, _ = read_spec(path, DatasetSpec, expected="a data-set spec is a YAML mapping")
    return spec


# --- the runs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatasetRun:
    """One run of a data set; `name` is also its folder."""

    name: str
    building: str
    climate: str
    season: str
    start: str
    days: int
    year: int
    history_days: int
    faulted: bool
    seed: int

    @property
    def window(self) -> RunWindow:
        return RunWindow.parse(self.start, days=self.days, year=self.year)

    @property
    def history(self) -> timedelta:
        """How long the run goes before its first fault may start."""
        return timedelta(days=self.history_days)

    def request(self, faults: Path | None = None) -> RunRequest:
        """What `prepare_run` takes to run it (`faults`: the run's faults file)."""
        from graphtwin.virtual.runs import RunRequest  # the engine and its server load here

        return RunRequest(
            self.building,
            self.climate,
            start=self.start,
            days=self.days,
            year=self.year,
            faults=faults,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_name(building: str, climate: str, season: str, variant: str) -> str:
    """`office_medium-denver-summer-faults` (a `:` of `ref:<name>` becomes `_`)."""
    return "-".join(part.replace(":", "_") for part in (building, climate, season, variant))


def run_seed(seed: int, name: str) -> int:
    """The seed of one run's faults: the spec's seed and the run's name, hashed (the same on
    every machine and Python, unlike `hash()`).

    >>> run_seed(17, "office_small-miami-winter-faults")
    127848063340150
    """
    digest = hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()
    return int(digest[:12], 16)


def plan_runs(spec: DatasetSpec) -> list[DatasetRun]:
    """Every run of the spec, building by building, climate, season, clean before faults."""
    runs = []
    for building in spec.buildings:
        for climate in spec.climates:
            for season in spec.seasons:
                for variant in VARIANTS:
                    name = run_name(building, climate, season.name, variant)
                    runs.append(
                        DatasetRun(
                            name=name,
                            building=building,
                            climate=climate,
                            season=season.name,
                            start=season.start,
                            days=spec.days,
                            year=spec.year,
                            history_days=spec.history_days,
                            faulted=variant == "faults",
                            seed=run_seed(spec.seed, name),
                        )
                    )
    return runs


def select_runs(runs: Sequence[DatasetRun], only: Sequence[str]) -> list[DatasetRun]:
    """The runs `--only` names (names or shell patterns: `office_small-*`); all without `only`.
    A name or pattern that matches no run is an InputError listing the runs."""
    if not only:
        return list(runs)
    names = [r.name for r in runs]
    unmatched = [pattern for pattern in only if not fnmatch.filter(names, pattern)]
    if unmatched:
        raise InputError(
            f"{', '.join(unmatched)} names no run of the data set; its runs: " + ", ".join(names),
            entity="--only",
        )
    return [r for r in runs if any(fnmatch.fnmatchcase(r.name, p) for p in only)]


# --- faults per run -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunFaults:
    """What `generate_faults` is asked for in each faulted run of one building."""

    kinds: tuple[str, ...]
    count: int
    """Faults of each kind in each run."""


def faults_per_run(
    spec: DatasetSpec, types_by_building: Mapping[str, Sequence[str]]
) -> dict[str, RunFaults]:
    """The fault kinds and the count per kind of each building's faulted runs, such that every
    wanted type reaches `min_faults_per_type` over the set. `types_by_building` says what each
    building can have (`fault_types_for`). A wanted type no building can have is an InputError.

    A building's count is the largest any of its types needs: `generate_faults` takes one count
    for all kinds, so some types occur more often than the minimum.
    """
    wanted = spec.wanted_fault_types
    runs_per_building = len(spec.climates) * len(spec.seasons)
    kinds = {
        b: tuple(t for t in wanted if t in set(types_by_building.get(b, ())))
        for b in spec.buildings
    }
    need: dict[str, int] = {}
    for kind in wanted:
        runs = sum(runs_per_building for b in spec.buildings if kind in kinds[b])
        if runs == 0:
            raise InputError(
                f"no building of the data set has anything a {kind} fault can act on: "
                "leave it out of fault_types or add a building that has",
                entity=kind,
            )
        need[kind] = math.ceil(spec.min_faults_per_type / runs)
    return {
        b: RunFaults(kinds[b], max((need[k] for k in kinds[b]), default=0)) for b in spec.buildings
    }


def planned_fault_totals(spec: DatasetSpec, per_run: Mapping[str, RunFaults]) -> dict[str, int]:
    """How often each fault type occurs over the whole set, as planned."""
    runs_per_building = len(spec.climates) * len(spec.seasons)
    totals = dict.fromkeys(spec.wanted_fault_types, 0)
    for building in spec.buildings:
        plan = per_run[building]
        for kind in plan.kinds:
            totals[kind] += plan.count * runs_per_building
    return totals


# --- identity -----------------------------------------------------------------------------------


def energyplus_package_version() -> str:
    """The installed `pyenergyplus-lbnl` (it pins the EnergyPlus engine, its models and its
    weather), or EnergyPlusMissingError."""
    try:
        return importlib.metadata.version(ENERGYPLUS_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EnergyPlusMissingError() from exc


def spec_identity(spec: DatasetSpec, *, energyplus: str) -> dict[str, Any]:
    """Everything that decides what the runs hold: the data-set version, the EnergyPlus package
    version and the spec."""
    return {
        "dataset_version": DATASET_VERSION,
        "energyplus_package": f"{ENERGYPLUS_PACKAGE} {energyplus}",
        "spec": spec.model_dump(mode="json", by_alias=True),
    }


def spec_hash(identity: Mapping[str, Any]) -> str:
    """The SHA-256 of the identity as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()
